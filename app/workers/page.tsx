import type { Metadata } from 'next';
import { WorkersView } from '@/components/workers/workers-view';

export const metadata: Metadata = { title: 'Workers' };

export default function WorkersPage() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">Workers</h1>
      <WorkersView />
    </div>
  );
}
