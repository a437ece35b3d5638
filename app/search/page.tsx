import type { Metadata } from 'next';
import { SearchResults } from '@/components/search-results';
import { TitledPage } from '../titled-page';

const TITLE = 'Find a task';

export const metadata: Metadata = { title: TITLE };

export default function SearchPage() {
  return (
    <TitledPage title={TITLE} readsUrl>
      <SearchResults />
    </TitledPage>
  );
}
