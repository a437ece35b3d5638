import type { Metadata } from 'next';
import { MessageList } from '@/components/message-list';

type Params = Promise<{ broker: string; queue: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { broker, queue } = await params;
  return { title: `${decodeURIComponent(queue)} on ${decodeURIComponent(broker)}` };
}

// Minimal for now (read-only list of waiting messages); the full queue page is a later issue.
export default async function QueuePage({ params, searchParams }: { params: Params; searchParams: Promise<{ task?: string | string[] }> }) {
  const { broker, queue } = await params;
  const task = (await searchParams).task;
  const b = decodeURIComponent(broker);
  const q = decodeURIComponent(queue);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold tracking-tight">
        {q} <span className="text-base font-normal text-slate-500">on {b}</span>
      </h1>
      <MessageList broker={b} queue={q} task={typeof task === 'string' && task ? task : undefined} />
    </div>
  );
}
