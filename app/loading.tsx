import { QueueTableSkeleton } from '@/components/overview/queue-table';

export default function Loading() {
  return (
    <div className="space-y-6">
      <div className="h-8 w-40 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <QueueTableSkeleton />
    </div>
  );
}
