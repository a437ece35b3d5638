import type { Metadata } from 'next';
import { FailuresView } from '@/components/tasks/failures-view';
import { TitledPage } from '../titled-page';

const TITLE = 'Failures';

export const metadata: Metadata = { title: TITLE };

export default function FailuresPage() {
  return (
    <TitledPage title={TITLE} readsUrl>
      <FailuresView />
    </TitledPage>
  );
}
