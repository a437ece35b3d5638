import { jsonResponse, route } from '@/lib/server/http';
import { authStore } from '@/lib/server/auth';
import { auditedRequest } from '@/lib/server/audit-trail';
import { NewTokenSchema, createToken, listTokens } from '@/lib/server/tokens';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Names, roles and times of every API token; never the secrets. */
export const GET = route({ role: 'admin' }, async () => ({ tokens: await listTokens(await authStore()) }));

/** 201 `{name, role, token}`: the only time the secret is shown. */
export const POST = route({ role: 'admin', body: NewTokenSchema }, async ({ body, actor }) => {
  const created = await auditedRequest(actor, { action: 'token.create', target: { token: body.name }, params: { role: body.role } }, async () => createToken(await authStore(), body));
  return jsonResponse(created, { status: 201, headers: { 'cache-control': 'no-store' } });
});
