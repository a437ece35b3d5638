/**
 * Button looks shared by every feature. A disabled button is grey with grey text and a
 * not-allowed cursor, whatever its color when live: faded color alone (opacity) read as
 * "live" to operators, who clicked and wondered why nothing happened.
 */
export const DISABLED_LOOK =
  'disabled:cursor-not-allowed disabled:border-slate-200 disabled:bg-slate-200 disabled:text-slate-500 disabled:shadow-none dark:disabled:border-slate-700 dark:disabled:bg-slate-800 dark:disabled:text-slate-500';

const base = `inline-flex cursor-pointer items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${DISABLED_LOOK}`;

export const buttonClass = {
  primary: `${base} bg-sky-700 text-white enabled:hover:bg-sky-800`,
  danger: `${base} bg-red-700 text-white enabled:hover:bg-red-800`,
  secondary: `${base} border border-slate-300 bg-white text-slate-800 enabled:hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:enabled:hover:bg-slate-700`,
};
