import type { ComponentProps } from 'react';

/**
 * Button looks shared by every feature. A disabled button is grey with grey text and a
 * not-allowed cursor, whatever its color when live: faded color alone (opacity) read as
 * "live" to operators, who clicked and wondered why nothing happened.
 */
const DISABLED_LOOK =
  'disabled:cursor-not-allowed disabled:border-slate-200 disabled:bg-slate-200 disabled:text-slate-500 disabled:shadow-none dark:disabled:border-slate-700 dark:disabled:bg-slate-800 dark:disabled:text-slate-500';

const base = `inline-flex cursor-pointer items-center gap-1.5 rounded-md font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${DISABLED_LOOK}`;

const SIZES = {
  md: 'px-3 py-1.5 text-sm',
  /** Inside a table row or a header bar, beside text. */
  sm: 'px-2 py-1 text-xs',
};

const VARIANTS = {
  primary: 'bg-sky-700 text-white enabled:hover:bg-sky-800',
  danger: 'bg-red-700 text-white enabled:hover:bg-red-800',
  secondary:
    'border border-slate-300 bg-white text-slate-800 enabled:hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:enabled:hover:bg-slate-700',
  /** A destructive action that needs a confirmation after it: less loud than `danger`. */
  dangerOutline:
    'border border-red-300 bg-white text-red-800 enabled:hover:bg-red-50 dark:border-red-800 dark:bg-slate-900 dark:text-red-300 dark:enabled:hover:bg-red-950',
};

export type ButtonVariant = keyof typeof VARIANTS;
export type ButtonSize = keyof typeof SIZES;

function buttonClass(variant: ButtonVariant = 'secondary', size: ButtonSize = 'md'): string {
  return `${base} ${SIZES[size]} ${VARIANTS[variant]}`;
}

/**
 * A button of the kit; `type="button"` unless told otherwise, so a button inside a form
 * never submits it by accident. `className` is for placement (margins), not looks.
 */
export function Button({
  variant = 'secondary',
  size = 'md',
  type = 'button',
  className,
  ...props
}: ComponentProps<'button'> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type={type} className={className ? `${buttonClass(variant, size)} ${className}` : buttonClass(variant, size)} {...props} />;
}
