import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { pageUser, safeNextPath } from '@/lib/server/auth-page';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Log in' };
export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await pageUser()) redirect(next);
  return (
    <div className="mx-auto mt-12 max-w-sm">
      <h1 className="mb-6 text-2xl font-bold tracking-tight">Log in to Triage</h1>
      <LoginForm next={next} />
    </div>
  );
}
