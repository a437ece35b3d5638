import { createHmac } from 'node:crypto';
import type { Alert, WebhookFormat } from '@/lib/shared/alerts';

/**
 * What a webhook receives and how it is sent. Every request carries
 *
 *   X-Triage-Delivery:  the delivery id (the same on every retry of one notification, so a
 *                       receiver can drop a repeat whose first answer was lost)
 *   X-Triage-Timestamp: unix seconds when this attempt was sent
 *   X-Triage-Signature: `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`)
 *                       (only when the webhook has a secret)
 *
 * A receiver recomputes the HMAC over the timestamp header, a dot and the raw body bytes,
 * compares in constant time, and refuses a timestamp more than a few minutes old (replays).
 */

export const SIGNATURE_HEADER = 'x-triage-signature';
export const TIMESTAMP_HEADER = 'x-triage-timestamp';
export const DELIVERY_HEADER = 'x-triage-delivery';

/** A receiver slower than this is a failed attempt (retried): one slow endpoint must not stall the outbox. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

export type NotificationEvent = 'firing' | 'resolved' | 'test';

/** The alert as it goes out: no delivery bookkeeping. */
export type AlertPayload = Omit<Alert, 'deliveries'>;

export function notificationBody(format: WebhookFormat, event: NotificationEvent, alert: AlertPayload, sentAt = new Date()): string {
  if (format === 'slack') return JSON.stringify(slackBody(event, alert));
  return JSON.stringify({ version: 1, event, sentAt: sentAt.toISOString(), alert });
}

const SLACK_ICON: Record<NotificationEvent, string> = { firing: ':rotating_light:', resolved: ':white_check_mark:', test: ':test_tube:' };

/** Slack's incoming-webhook shape: `text` for notifications and clients without blocks, `blocks` for the message. */
function slackBody(event: NotificationEvent, alert: AlertPayload) {
  const title = `${SLACK_ICON[event]} [${event === 'firing' ? alert.severity.toUpperCase() : event.toUpperCase()}] ${alert.summary}`;
  const facts = [`*kind* ${alert.kind}`, `*key* \`${alert.key}\``, `*since* ${alert.startedAt}`];
  if (alert.resolvedAt) facts.push(`*resolved* ${alert.resolvedAt}`);
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    { type: 'context', elements: facts.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  const details = Object.entries(alert.details);
  if (details.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: details.map(([k, v]) => `• ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n').slice(0, 2900) } });
  }
  if (alert.link) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Triage: ${alert.link}` }] });
  return { text: title, blocks };
}

export function sign(secret: string, timestampSec: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

export interface SendResult {
  ok: boolean;
  status?: number;
  error?: string;
  ms: number;
}

/** One attempt; never throws. A non-2xx answer, a refused connection and a timeout are all failures. */
export async function sendWebhook(
  target: { url: string; secret?: string },
  body: string,
  deliveryId: string,
  timeoutMs = WEBHOOK_TIMEOUT_MS,
): Promise<SendResult> {
  const started = Date.now();
  const timestamp = Math.floor(started / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Triage-Alerts/1',
    [DELIVERY_HEADER]: deliveryId,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (target.secret) headers[SIGNATURE_HEADER] = sign(target.secret, timestamp, body);
  try {
    // redirect: 'manual': a signed body is meant for the configured URL, not wherever it points.
    const response = await fetch(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    const ms = Date.now() - started;
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, ms };
    return { ok: false, status: response.status, error: `the receiver answered ${response.status}`, ms };
  } catch (error) {
    const ms = Date.now() - started;
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, error: `no answer within ${timeoutMs} ms`, ms };
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    return { ok: false, error: cause, ms };
  }
}
