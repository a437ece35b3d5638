import { BANDS, priorityBg } from './priority-colors';

/** Names the colors once per page instead of in every row. */
export function PriorityLegend() {
  return (
    <div className="flex flex-wrap items-center gap-x-5 gap-y-2 text-sm text-slate-600 dark:text-slate-400">
      <span>Priority (0 = most urgent):</span>
      {BANDS.map(({ band, label, from, to }) => (
        <span key={band} className="inline-flex items-center gap-1.5">
          <span className="inline-flex gap-0.5" aria-hidden>
            {Array.from({ length: to - from + 1 }, (_, i) => from + i).map((p) => (
              <span key={p} title={`priority ${p}`} className={`size-3 rounded-sm ${priorityBg(p)}`} />
            ))}
          </span>
          <span>
            <span className="font-medium text-slate-800 dark:text-slate-200">{label}</span> {from}–{to}
          </span>
        </span>
      ))}
    </div>
  );
}
