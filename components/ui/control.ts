/**
 * The look every text input, text area and select shares. No width here: Tailwind orders
 * utilities by its own rules, not by their order in the class string, so a `w-32` added to
 * a `w-full` lost (the enqueue count box was full width). Each control takes its width from
 * `className`, full width unless told.
 */
export const CONTROL_LOOK =
  'rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:font-sans placeholder:text-slate-400 placeholder:italic focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 aria-[invalid=true]:border-red-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500 dark:aria-[invalid=true]:border-red-500';

export interface ControlLayout {
  /** Width and other placement; looks come from the kit. Default: full width. */
  className?: string;
  /** Ids, names and JSON are typed character by character: a monospace face shows them as they are. */
  mono?: boolean;
}

export function controlClass({ className = 'w-full', mono = false }: ControlLayout): string {
  return `${CONTROL_LOOK} ${mono ? 'font-mono' : ''} ${className}`;
}
