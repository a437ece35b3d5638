import { route } from '@/lib/server/http';
import { testAlerts } from '@/lib/server/alerts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Operator: a sample notification to every webhook, once, answering each one's outcome.
 * Operators may check the alert path during an incident; it changes no settings.
 */
export const POST = route({ role: 'operator' }, ({ actor }) => testAlerts(actor));
