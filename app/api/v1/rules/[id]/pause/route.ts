import { z } from 'zod';
import { pauseRule } from '@/lib/control/rules/rules';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const ParamsSchema = z.object({ id: z.string().min(1).max(64) });
const BodySchema = z.object({ paused: z.boolean().optional() }).strict();

/** Pauses the rule; `{paused: false}` resumes it. */
export const POST = route({ role: 'operator', params: ParamsSchema, body: BodySchema, optionalBody: true }, async ({ params, body, actor }) =>
  pauseRule(control(actor), params.id, body.paused ?? true),
);
