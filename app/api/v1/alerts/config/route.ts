import { route } from '@/lib/server/http';
import { alertsConfig, setAlertsConfig } from '@/lib/server/alerts';
import { AlertsConfigInputSchema } from '@/lib/shared/alerts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Admin: the webhooks with `hasSecret`, never the secrets (full URLs: a Slack URL is a credential). */
export const GET = route({ role: 'admin' }, () => alertsConfig());

/** Admin: replaces the webhooks; a webhook without `secret` keeps its URL's secret, `secret: null` removes it. */
export const PUT = route({ role: 'admin', body: AlertsConfigInputSchema }, ({ body, actor }) => setAlertsConfig(actor, body));
