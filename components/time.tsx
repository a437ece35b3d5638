import { formatAgo, formatTime, type TimeFormatOptions } from '@/lib/client/time-format';

type At = string | number | null | undefined;

function isoOf(at: At): string | undefined {
  const ms = typeof at === 'number' ? at : at ? Date.parse(at) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * An absolute time (local, with its zone) with how long ago on hover, or beside it when
 * `relative` is "beside" and `now` is known. The one way pages show a moment.
 */
export function Timestamp({ at, now, relative = 'hover', ms, className, testId }: { at: At; now?: number; relative?: 'hover' | 'beside'; ms?: TimeFormatOptions['ms']; className?: string; testId?: string }) {
  const ago = now === undefined ? undefined : formatAgo(at, now);
  const time = (
    <time dateTime={isoOf(at)} title={relative === 'hover' ? ago : undefined} className={className} data-testid={testId}>
      {formatTime(at, { ms })}
    </time>
  );
  if (relative === 'hover' || ago === undefined) return time;
  return (
    <>
      {time}
      <span className="block text-xs text-slate-500 dark:text-slate-400">{ago}</span>
    </>
  );
}

/** How long ago, with the absolute time on hover: for what is judged by recency (heartbeats). */
export function TimeAgo({ at, now, className, testId }: { at: At; now: number; className?: string; testId?: string }) {
  return (
    <time dateTime={isoOf(at)} title={formatTime(at)} className={className} data-testid={testId}>
      {formatAgo(at, now)}
    </time>
  );
}
