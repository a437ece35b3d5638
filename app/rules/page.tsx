import type { Metadata } from 'next';
import { RulesList } from '@/components/rules/rules-list';
import { TitledPage } from '../titled-page';

const TITLE = 'Standing rules';

export const metadata: Metadata = { title: TITLE };

export default function RulesPage() {
  return (
    <TitledPage title={TITLE}>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Rules act on tasks as they arrive in a queue (set a priority, move, park or delete them) until they expire, at most 24 hours after they were
        made. One Triage process applies them for the whole deployment, within 2 seconds of arrival.
      </p>
      <RulesList />
    </TitledPage>
  );
}
