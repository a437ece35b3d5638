import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SearchResults } from '@/components/search-results';

export const metadata: Metadata = { title: 'Find a task' };

export default function SearchPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Find a task</h1>
      {/* useSearchParams needs a Suspense boundary in a prerendered page. */}
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <SearchResults />
      </Suspense>
    </div>
  );
}
