/**
 * How a disabled button looks on the pages: grey and flat whatever its colours, with a
 * not-allowed cursor, so it reads as unavailable at a glance (dimming a blue button left it
 * looking like a lighter blue button). Colour hovers go with `enabled:` so a disabled
 * button does not react to the pointer. Literal class names: Tailwind only sees literal text.
 */
export const disabledLook =
  'disabled:cursor-not-allowed disabled:border-slate-300 disabled:bg-slate-200 disabled:text-slate-500 disabled:shadow-none dark:disabled:border-slate-700 dark:disabled:bg-slate-800 dark:disabled:text-slate-500';
