import { z } from 'zod';
import { deleteRule } from '@/lib/control/rules/rules';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const ParamsSchema = z.object({ id: z.string().min(1).max(64) });

/** The rule stops at once and is listed as `deleted` for a day. */
export const DELETE = route({ role: 'operator', params: ParamsSchema }, async ({ params, actor }) => deleteRule(control(actor), params.id));
