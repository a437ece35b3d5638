import type { Metadata } from 'next';
import { WorkersView } from '@/components/workers/workers-view';
import { TitledPage } from '../titled-page';

const TITLE = 'Workers';

export const metadata: Metadata = { title: TITLE };

export default function WorkersPage() {
  return (
    <TitledPage title={TITLE}>
      <WorkersView />
    </TitledPage>
  );
}
