import { route, runtime as triage } from '@/lib/server/http';
import { authStore } from '@/lib/server/auth';
import { clearedSessionCookie, deleteSession, isHttps } from '@/lib/server/session';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Ends the cookie session (CSRF-checked like every cookie mutation); a no-op for tokens. */
export const POST = route({ role: 'viewer' }, async ({ request, actor }) => {
  if (actor?.session) await deleteSession(await authStore(), actor.session.id);
  const secure = isHttps(request, triage().config.auth.trustProxy);
  return new Response(null, { status: 204, headers: { 'set-cookie': clearedSessionCookie(secure) } });
});
