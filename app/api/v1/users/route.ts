import { jsonResponse, route } from '@/lib/server/http';
import { authStore } from '@/lib/server/auth';
import { auditedRequest } from '@/lib/server/audit-trail';
import { NewUserSchema, createUser, listUsers } from '@/lib/server/users';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'admin' }, async () => ({ users: await listUsers(await authStore()) }));

/** `{name, role, password}` → 201 the user (without the hash). */
export const POST = route({ role: 'admin', body: NewUserSchema, maxBodyBytes: 16 * 1024 }, async ({ body, actor }) => {
  const user = await auditedRequest(actor, { action: 'user.create', target: { user: body.name }, params: { role: body.role } }, async () => createUser(await authStore(), body));
  return jsonResponse(user, { status: 201 });
});
