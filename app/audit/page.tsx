import type { Metadata } from 'next';
import { AuditView } from '@/components/audit/audit-view';
import { TitledPage } from '../titled-page';

const TITLE = 'Audit log';

export const metadata: Metadata = { title: TITLE };

export default function AuditPage() {
  return (
    <TitledPage title={TITLE} readsUrl>
      <AuditView />
    </TitledPage>
  );
}
