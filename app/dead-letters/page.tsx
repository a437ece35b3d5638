import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DeadLettersView } from '@/components/dead-letters/dead-letters-view';

export const metadata: Metadata = { title: 'Dead letters' };

export default function DeadLettersPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Dead letters</h1>
      {/* useSearchParams needs a Suspense boundary in a prerendered page. */}
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <DeadLettersView />
      </Suspense>
    </div>
  );
}
