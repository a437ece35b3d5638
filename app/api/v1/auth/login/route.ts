import { z } from 'zod';
import { jsonResponse, route, runtime as triage } from '@/lib/server/http';
import { burnPasswordCheck, verifyPassword } from '@/lib/server/auth-password';
import { authStore } from '@/lib/server/auth';
import { recordFailedLogin, recordThrottledLogin } from '@/lib/server/audit-trail';
import { withState } from '@/lib/server/auth-store';
import { checkOrigin } from '@/lib/server/csrf';
import { throttled } from '@/lib/server/errors';
import { createSession, isHttps, sessionCookie } from '@/lib/server/session';
import { admitLogin, loginAddress, loginSucceeded } from '@/lib/server/throttle';
import { getUser } from '@/lib/server/users';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const LoginBodySchema = z
  .object({
    username: z.string({ error: 'username is required' }).min(1, { error: 'username is required' }).max(200),
    password: z.string({ error: 'password is required' }).min(1, { error: 'password is required' }).max(1024),
  })
  .strict();

/** Public: sets the session cookie and answers `{user: {name, role}, csrfToken}`. */
export const POST = route({ role: null, body: LoginBodySchema, maxBodyBytes: 16 * 1024 }, ({ request, body }) =>
  withState(() => logIn(request, body)),
);

async function logIn(request: Request, body: z.infer<typeof LoginBodySchema>): Promise<Response> {
  const { config, logger } = triage();
  // Login CSRF: a foreign page must not log a browser in as the attacker. Scripts without an
  // Origin header may still log in.
  checkOrigin(request, config.auth.trustProxy, false);
  const store = await authStore();
  const ip = loginAddress(request, config.auth, logger);
  const verdict = await admitLogin(store, body.username, ip);
  if (!verdict.allowed) {
    await recordThrottledLogin(store, body.username, ip, verdict.retryAfterSec);
    throw throttled(`too many failed logins; try again in ${verdict.retryAfterSec} s`, verdict.retryAfterSec);
  }
  if (verdict.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
  const user = await getUser(store, body.username);
  const ok = user ? await verifyPassword(body.password, user.passwordHash) : await burnPasswordCheck(body.password);
  if (!user || !ok) {
    await recordFailedLogin(body.username, ip, { code: 'UNAUTHENTICATED', message: user ? 'wrong password' : 'no such user' });
    // One message for both cases: which user names exist is nobody's business.
    return jsonResponse({ error: { code: 'UNAUTHENTICATED', message: 'wrong user name or password' } }, { status: 401 });
  }
  await loginSucceeded(store, verdict.ticket);
  const session = await createSession(store, user);
  const cookie = sessionCookie(session.cookieValue, { secure: isHttps(request, config.auth.trustProxy), maxAgeSec: config.auth.sessionMaxAgeSec });
  triage().logger.info({ user: user.name, ip }, 'login');
  return jsonResponse(
    { user: { name: user.name, role: user.role }, csrfToken: session.csrf },
    { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' } },
  );
}
