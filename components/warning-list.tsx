/** Things that silently break priority or need attention (queue or worker `warnings`), as amber chips. */
export function WarningList({ warnings, size = 'xs', testId }: { warnings: readonly string[] | undefined; size?: 'xs' | 'sm'; testId?: string }) {
  if (!warnings?.length) return null;
  const chip = size === 'sm' ? 'px-2 py-1 text-sm' : 'px-1.5 py-0.5 text-xs';
  return (
    <ul className={size === 'sm' ? 'flex flex-wrap gap-1.5' : 'mt-1.5 flex max-w-md flex-wrap gap-1'} aria-label="warnings" data-testid={testId}>
      {warnings.map((warning) => (
        <li
          key={warning}
          className={`rounded border border-amber-300 bg-amber-50 ${chip} text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200`}
        >
          ⚠ {warning}
        </li>
      ))}
    </ul>
  );
}
