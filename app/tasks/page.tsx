import type { Metadata } from 'next';
import { TaskExplorer } from '@/components/tasks/task-explorer';
import { TitledPage } from '../titled-page';

const TITLE = 'Tasks';

export const metadata: Metadata = { title: TITLE };

export default function TasksPage() {
  return (
    <TitledPage title={TITLE} readsUrl>
      <TaskExplorer />
    </TitledPage>
  );
}
