import { z } from 'zod';

/**
 * Alerts (issue 20): what GET /api/v1/alerts answers and what PUT /api/v1/alerts/config
 * takes. Shared by the alert center (lib/alerts), the routes and the browser.
 */

export const ALERT_KINDS = ['slo', 'worker_stale', 'broker_down', 'dlq_growing'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** A webhook call's lifecycle: `pending` (queued or backing off), `delivered`, `failed` (attempts used up). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface AlertDelivery {
  id: string;
  /** Which notification: the condition starting (`firing`) or ending (`resolved`). */
  event: 'firing' | 'resolved';
  /** The webhook's origin only (a webhook URL's path is often its credential, e.g. Slack's). */
  url: string;
  format: WebhookFormat;
  status: DeliveryStatus;
  attempts: number;
  /** ISO time of the next attempt while pending. */
  nextAttemptAt?: string;
  deliveredAt?: string;
  lastError?: string;
}

export interface Alert {
  id: string;
  /** The condition's identity: one alert per key while the condition lasts (e.g. `broker_down:redis`). */
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  summary: string;
  details: Record<string, unknown>;
  /** A path in the dashboard (e.g. `/workers`). */
  link?: string;
  state: 'active' | 'resolved';
  startedAt: string;
  resolvedAt?: string;
  deliveries: AlertDelivery[];
}

export interface AlertList {
  active: Alert[];
  recent: Alert[];
}

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const MAX_WEBHOOKS = 10;

const WebhookUrlSchema = z
  .string()
  .max(2048, 'a webhook url is at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'a webhook url must be an absolute http(s) URL');

/**
 * One webhook as PUT takes it. `secret`: a string sets it, null removes it, absent keeps the
 * secret the same URL had (GET never shows secrets, so a form can save without re-typing one).
 */
export const WebhookInputSchema = z.strictObject({
  url: WebhookUrlSchema,
  format: z.enum(WEBHOOK_FORMATS, { message: 'format must be "json" or "slack"' }),
  secret: z.string().min(16, 'a secret has at least 16 characters').max(256, 'a secret is at most 256 characters').nullable().optional(),
});

export const AlertsConfigInputSchema = z
  .strictObject({ webhooks: z.array(WebhookInputSchema).max(MAX_WEBHOOKS, `at most ${MAX_WEBHOOKS} webhooks`) })
  .refine((config) => new Set(config.webhooks.map((w) => w.url)).size === config.webhooks.length, { message: 'each webhook url may appear once', path: ['webhooks'] });
export type AlertsConfigInput = z.infer<typeof AlertsConfigInputSchema>;

/** A webhook as GET shows it: whether it has a secret, never the secret. */
export interface WebhookView {
  url: string;
  format: WebhookFormat;
  hasSecret: boolean;
}

export interface AlertsConfigView {
  webhooks: WebhookView[];
}

/** One webhook's answer to POST /api/v1/alerts/test. */
export interface WebhookTestResult {
  url: string;
  format: WebhookFormat;
  ok: boolean;
  /** The HTTP status, when the receiver answered. */
  status?: number;
  error?: string;
  ms: number;
}
