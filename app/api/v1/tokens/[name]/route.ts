import { z } from 'zod';
import { route } from '@/lib/server/http';
import { authStore } from '@/lib/server/auth';
import { auditedRequest } from '@/lib/server/audit-trail';
import { revokeToken } from '@/lib/server/tokens';
import { TriageError } from '@/lib/shared/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const ParamsSchema = z.object({ name: z.string().min(1).max(64) });

export const DELETE = route({ role: 'admin', params: ParamsSchema }, async ({ params, actor }) => {
  await auditedRequest(actor, { action: 'token.revoke', target: { token: params.name }, params: {} }, async () => {
    if (!(await revokeToken(await authStore(), params.name))) throw new TriageError('NOT_FOUND', `no token named ${params.name}`);
  });
  return new Response(null, { status: 204 });
});
