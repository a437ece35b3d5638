import { useId, type ReactNode } from 'react';

/**
 * A titled section of a page: a bordered card whose heading labels it for screen readers.
 * `actions` sit at the heading's right (a range toggle); `description` is the line under it.
 */
export function Panel({
  title,
  titleClassName = '',
  actions,
  description,
  className = '',
  testId,
  children,
}: {
  title: ReactNode;
  /** Extra classes of the heading (a failure's red title). */
  titleClassName?: string;
  actions?: ReactNode;
  description?: ReactNode;
  className?: string;
  testId?: string;
  children?: ReactNode;
}) {
  const headingId = useId();
  return (
    <section
      aria-labelledby={headingId}
      data-testid={testId}
      className={`space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      <div className="space-y-1">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id={headingId} className={`font-semibold ${titleClassName}`}>
            {title}
          </h2>
          {actions}
        </div>
        {description ? <p className="text-sm text-slate-600 dark:text-slate-400">{description}</p> : null}
      </div>
      {children}
    </section>
  );
}
