'use client';

import { useEffect } from 'react';
import { ErrorPanel } from '@/components/state-panels';

// Catches rendering bugs in a page; API failures are shown inside the page, next to the data they affect.
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const message = error instanceof Error ? error.message : 'An unexpected error occurred.';
  return <ErrorPanel title="This page failed to render" message={message} onRetry={retry} />;
}
