import type { ComponentProps } from 'react';
import { controlClass, type ControlLayout } from './control';

/** A text input of the kit (any `type`: text, search, number, password). */
export function Input({ className, mono, ...props }: Omit<ComponentProps<'input'>, 'className'> & ControlLayout) {
  return <input className={controlClass({ className, mono })} {...props} />;
}

export function TextArea({ className, mono, ...props }: Omit<ComponentProps<'textarea'>, 'className'> & ControlLayout) {
  return <textarea className={controlClass({ className, mono })} {...props} />;
}

/** A search box: the browser's clear button, and no autocomplete or spelling marks over names and ids. */
export function SearchInput(props: Omit<ComponentProps<'input'>, 'className' | 'type'> & ControlLayout) {
  return <Input type="search" autoComplete="off" spellCheck={false} {...props} />;
}
