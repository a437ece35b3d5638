import { Suspense, type ReactNode } from 'react';

/**
 * The frame of a page with one view under its heading. `readsUrl`: the view reads the URL
 * (useSearchParams), which needs a Suspense boundary in a prerendered page.
 */
export function TitledPage({ title, readsUrl = false, children }: { title: string; readsUrl?: boolean; children: ReactNode }) {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
      {readsUrl ? <Suspense fallback={<p className="text-slate-500">Loading…</p>}>{children}</Suspense> : children}
    </div>
  );
}
