import type { ReactNode } from 'react';

export const LABEL_CLASS = 'block text-sm font-medium text-slate-700 dark:text-slate-300';

/** The id of a field's error line, for the control's aria-describedby. */
export function errorId(id: string): string {
  return `${id}-error`;
}

/** What a control inside a Field says about its error: invalid, and described by the error line. */
export function errorProps(id: string, error: string | undefined): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return error ? { 'aria-invalid': true, 'aria-describedby': errorId(id) } : {};
}

/**
 * A labelled form row: the label, the control (`children`, whose id is `id`), a hint, and the
 * error right under them, linked by `errorProps`. `reserveErrorSpace` keeps the error line
 * (empty, but announced when filled) so a short form does not jump under the cursor.
 */
export function Field({
  id,
  name,
  label,
  hint,
  error,
  reserveErrorSpace = false,
  children,
}: {
  id: string;
  /** Names the error for tests and styles: `field-error-<name>` (default: the id). */
  name?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  reserveErrorSpace?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className={LABEL_CLASS}>
        {label}
      </label>
      {children}
      {hint ? <p className="text-xs text-slate-600 dark:text-slate-400">{hint}</p> : null}
      {error || reserveErrorSpace ? (
        <p
          id={errorId(id)}
          data-testid={`field-error-${name ?? id}`}
          aria-live="polite"
          className="min-h-5 text-sm break-words text-red-700 dark:text-red-400"
        >
          {error}
        </p>
      ) : null}
    </div>
  );
}
