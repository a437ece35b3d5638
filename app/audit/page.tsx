import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuditView } from '@/components/audit/audit-view';

export const metadata: Metadata = { title: 'Audit log' };

export default function AuditPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Audit log</h1>
      {/* useSearchParams needs a Suspense boundary in a prerendered page. */}
      <Suspense fallback={<p className="text-slate-500">Loading…</p>}>
        <AuditView />
      </Suspense>
    </div>
  );
}
