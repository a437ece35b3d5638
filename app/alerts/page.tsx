import type { Metadata } from 'next';
import { AlertsView } from '@/components/alerts/alerts-view';
import { TitledPage } from '../titled-page';

const TITLE = 'Alerts';

export const metadata: Metadata = { title: TITLE };

export default function AlertsPage() {
  return (
    <TitledPage title={TITLE}>
      <AlertsView />
    </TitledPage>
  );
}
