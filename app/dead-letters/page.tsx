import type { Metadata } from 'next';
import { DeadLettersView } from '@/components/dead-letters/dead-letters-view';
import { TitledPage } from '../titled-page';

const TITLE = 'Dead letters';

export const metadata: Metadata = { title: TITLE };

export default function DeadLettersPage() {
  return (
    <TitledPage title={TITLE} readsUrl>
      <DeadLettersView />
    </TitledPage>
  );
}
