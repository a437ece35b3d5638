import type { Band } from '@/lib/shared/priority';
import { BANDS } from '../priority-colors';

export interface BandCell {
  testId: string;
  title: string;
  className: string;
  text: string;
}

/**
 * One line per band (high, medium, low): its name, then what `cell` says about it. `namesHidden`
 * leaves the names to screen readers, for a column whose lines align with a named one beside it.
 */
export function BandGrid({ cell, testId, namesHidden = false }: { cell: (band: Band) => BandCell; testId?: string; namesHidden?: boolean }) {
  return (
    <dl className={`inline-grid ${namesHidden ? 'grid-cols-[auto]' : 'grid-cols-[auto_auto]'} gap-x-2 text-xs leading-5`} data-testid={testId}>
      {BANDS.map(({ band, label, from, to }) => {
        const { testId: cellId, title, className, text } = cell(band);
        return (
          <div key={band} className="contents">
            <dt className={namesHidden ? 'sr-only' : 'text-left text-slate-500 dark:text-slate-400'} title={`priorities ${from}–${to}`}>
              {label}
            </dt>
            <dd data-testid={cellId} title={title} className={className}>
              {text}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
