import { z } from 'zod';
import { RoleSchema } from '@/lib/config';
import { route } from '@/lib/server/http';
import { authStore } from '@/lib/server/auth';
import { auditedRequest } from '@/lib/server/audit-trail';
import { removeUser, updateUser } from '@/lib/server/users';
import { TriageError } from '@/lib/shared/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const ParamsSchema = z.object({ name: z.string().min(1).max(64) });
const ChangeSchema = z
  .object({ role: RoleSchema.optional(), password: z.string().max(1024).optional() })
  .strict()
  .refine((c) => c.role !== undefined || c.password !== undefined, { error: 'give a role, a password or both' });

/** `{role?, password?}`: a new password ends the user's sessions. */
export const PATCH = route({ role: 'admin', params: ParamsSchema, body: ChangeSchema, maxBodyBytes: 16 * 1024 }, async ({ params, body, actor }) => {
  const change = { ...(body.role !== undefined ? { role: body.role } : {}), ...(body.password !== undefined ? { passwordChanged: true } : {}) };
  return auditedRequest(actor, { action: 'user.update', target: { user: params.name }, params: change }, async () => updateUser(await authStore(), params.name, body));
});

export const DELETE = route({ role: 'admin', params: ParamsSchema }, async ({ params, actor }) => {
  await auditedRequest(actor, { action: 'user.remove', target: { user: params.name }, params: {} }, async () => {
    if (actor?.name === params.name && actor.via === 'session') throw new TriageError('CONFLICT', 'you cannot remove yourself');
    if (!(await removeUser(await authStore(), params.name))) throw new TriageError('NOT_FOUND', `no user ${params.name}`);
  });
  return new Response(null, { status: 204 });
});
