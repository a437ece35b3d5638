import { Suspense } from 'react';
import type { Metadata } from 'next';
import { QueueView } from '@/components/queue/queue-view';

type Params = Promise<{ broker: string; queue: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { broker, queue } = await params;
  return { title: `${decodeURIComponent(queue)} on ${decodeURIComponent(broker)}` };
}

export default async function QueuePage({ params }: { params: Params }) {
  const { broker, queue } = await params;
  // Filters, page and chart range are read from the URL on the client (useSearchParams).
  return (
    <Suspense>
      <QueueView broker={decodeURIComponent(broker)} name={decodeURIComponent(queue)} />
    </Suspense>
  );
}
