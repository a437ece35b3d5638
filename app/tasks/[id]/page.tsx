import type { Metadata } from 'next';
import { TaskDetail } from '@/components/task/task-detail';

type Params = Promise<{ id: string }>;

/** Next hands the segment over still percent-encoded; a malformed escape is kept as typed. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Task ${decodeId(id)}` };
}

export default async function TaskPage({ params }: { params: Params }) {
  const { id } = await params;
  return <TaskDetail id={decodeId(id)} />;
}
