import type { Metadata } from 'next';
import { SloEditor } from '@/components/slos/slo-editor';
import { configuredBrokerIds } from '@/lib/server/slos';
import { TitledPage } from '../titled-page';

const TITLE = 'Wait SLOs';

export const metadata: Metadata = { title: TITLE };
export const dynamic = 'force-dynamic';

export default function SlosPage() {
  return (
    <TitledPage title={TITLE}>
      <SloEditor brokers={configuredBrokerIds()} />
    </TitledPage>
  );
}
