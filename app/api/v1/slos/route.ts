import { route } from '@/lib/server/http';
import { listSlos, replaceSlos } from '@/lib/server/slos';
import { ReplaceSlosSchema } from '@/lib/shared/slos';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** `{slos: [{…, source}], states: [{sloId, broker, queue, state, since, worstWaitSec, …}]}`. */
export const GET = route({ role: 'viewer' }, () => listSlos());

/** `{slos: [...]}` replaces the admin-edited SLOs (the config file's stay); answers like GET. */
export const PUT = route({ role: 'admin', body: ReplaceSlosSchema, maxBodyBytes: 256 * 1024 }, ({ body, actor }) => replaceSlos(actor, body.slos));
