import { Overview } from '@/components/overview/overview';

// The shell renders on the server; the numbers are live, so the client fetches and refreshes them.
export default function OverviewPage() {
  return <Overview />;
}
