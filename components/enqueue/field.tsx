import type { ReactNode } from 'react';

/** A labelled form row with its error right under the input (linked by aria-describedby via `errorId`). */
export function Field({
  id,
  name,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  /** Names the error for tests and styles: `field-error-<name>`. */
  name: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </label>
      {children}
      {hint ? <p className="text-xs text-slate-600 dark:text-slate-400">{hint}</p> : null}
      {error ? (
        <p id={errorId(id)} data-testid={`field-error-${name}`} className="text-sm break-words text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function errorId(id: string): string {
  return `${id}-error`;
}

export const INPUT_CLASS =
  'w-full rounded-md border bg-white px-2 py-1.5 text-sm dark:bg-slate-900 border-slate-300 dark:border-slate-700 aria-[invalid=true]:border-red-600 dark:aria-[invalid=true]:border-red-500 placeholder:font-sans placeholder:italic placeholder:text-slate-400 dark:placeholder:text-slate-500';
