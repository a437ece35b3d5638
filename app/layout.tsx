import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { EnqueueButton } from '@/components/enqueue';
import { NavLink } from '@/components/nav-link';
import { SloBanner } from '@/components/slos/slo-banner';
import { TaskSearch } from '@/components/task-search';
import { ThemeToggle } from '@/components/theme-toggle';
import { THEME_SCRIPT } from '@/lib/client/theme';
import { UserMenu } from '@/components/user-menu';
import { requirePageUser } from '@/lib/server/auth-page';
import { NONCE_HEADER, readStamped } from '@/lib/server/internal-headers';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Triage', template: '%s · Triage' },
  description: 'Prioritized Celery task queues on Redis and RabbitMQ',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page but /login needs a session (redirects otherwise); the API checks again anyway.
  const user = await requirePageUser();
  // proxy.ts sets a per-request CSP nonce; the theme script needs it to run.
  const nonce = readStamped(await headers(), NONCE_HEADER) ?? undefined;
  return (
    // The head script sets the theme class before React hydrates.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen">
        {/* The header's search and enqueue dialog use the query client too. */}
        <Providers>
          <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            {/*
              One line from lg up (the search box gives way); below that the nav and the search
              take rows of their own. Whole-width notices (banners) go after this row.
            */}
            <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 lg:flex-nowrap" data-testid="header-row">
              <Link href="/" className="flex shrink-0 items-center gap-2 text-lg font-bold tracking-tight">
                <span aria-hidden className="flex gap-0.5">
                  <span className="h-4 w-1.5 rounded-sm bg-red-600" />
                  <span className="h-4 w-1.5 rounded-sm bg-amber-400" />
                  <span className="h-4 w-1.5 rounded-sm bg-slate-400" />
                </span>
                Triage
              </Link>
              <nav aria-label="Main" className="order-last -mx-1 flex w-full gap-0.5 overflow-x-auto sm:order-none sm:mx-0 sm:w-auto sm:shrink-0">
                <NavLink href="/">Overview</NavLink>
                <NavLink href="/tasks">Tasks</NavLink>
                <NavLink href="/workers">Workers</NavLink>
                <NavLink href="/dead-letters">Dead letters</NavLink>
                <NavLink href="/alerts">Alerts</NavLink>
                <NavLink href="/rules">Rules</NavLink>
                <NavLink href="/audit">Audit</NavLink>
                <NavLink href="/slos">SLOs</NavLink>
              </nav>
              {user && (
                // A row of its own on a phone, so the search box keeps a usable width.
                <div className="order-last flex min-w-0 basis-full items-center gap-3 lg:order-none lg:flex-1 lg:basis-auto" data-testid="header-tools">
                  <TaskSearch />
                  <EnqueueButton />
                </div>
              )}
              <div className="ml-auto flex min-w-0 items-center gap-3">
                <ThemeToggle />
                {user && <UserMenu name={user.name} role={user.role} />}
              </div>
            </div>
          </header>
          {user && <SloBanner />}
          <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
