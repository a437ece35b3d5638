import type { ComponentProps } from 'react';
import { controlClass, type ControlLayout } from './control';

/** A native <select> of the kit: the browser's own keyboard and phone pickers, the kit's look. */
export function Select({ className, ...props }: Omit<ComponentProps<'select'>, 'className'> & Omit<ControlLayout, 'mono'>) {
  return <select className={controlClass({ className })} {...props} />;
}
