import { randomUUID } from 'node:crypto';
import { TriageError } from '@/lib/shared/errors';
import type { Alert, AlertKind, AlertSeverity, WebhookTestResult } from '@/lib/shared/alerts';
import type { AlertStore, DeliveryRecord, StoredWebhook } from './store';
import { WEBHOOK_TIMEOUT_MS, notificationBody, sendWebhook, type AlertPayload, type NotificationEvent } from './webhook';

/**
 * A condition that is true now. Its `key` names it for de-duplication: raising a key that is
 * already active does nothing, so a condition evaluated every few seconds notifies once when
 * it starts and once (resolve) when it ends. Keys start with `<kind>:` (`slo:redis/celery/high`,
 * `broker_down:rabbitmq`), so each evaluator resolves only the keys of its own kinds.
 */
export interface AlertCondition {
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  summary: string;
  details?: Record<string, unknown>;
  /** A dashboard path, e.g. `/queues/redis/celery`. */
  link?: string;
}

export interface AlertCenterOptions {
  now?: () => number;
  /** Attempts per notification and webhook, the first included; then it is marked failed. */
  maxAttempts?: number;
  /** Delay before the 2nd attempt; doubled for each further one, up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  timeoutMs?: number;
  /** Deliveries sent at once per `deliverDue` (one slow receiver must not hold up the rest). */
  batch?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_BASE_MS = 2_000;
/** About 4 minutes of retries in all with the defaults (2 + 4 + … + 128 s): covers a receiver's restart or a short outage. */
export const DEFAULT_BACKOFF_MAX_MS = 5 * 60_000;

export class AlertCenter {
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;

  constructor(
    readonly store: AlertStore,
    options: AlertCenterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.backoffMaxMs = options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS;
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.batch = options.batch ?? 20;
  }

  /** Starts an alert for the condition unless its key is active already; true when this call started it. */
  async raise(condition: AlertCondition): Promise<boolean> {
    checkKey(condition.key, condition.kind);
    if ((await this.store.activeId(condition.key)) !== null) return false;
    const now = this.now();
    const alert: AlertPayload = {
      id: randomUUID(),
      key: condition.key,
      kind: condition.kind,
      severity: condition.severity,
      summary: condition.summary,
      details: condition.details ?? {},
      ...(condition.link ? { link: condition.link } : {}),
      state: 'active',
      startedAt: new Date(now).toISOString(),
    };
    return this.store.raise(alert, await this.notifications('firing', alert, now), now);
  }

  /** Ends the key's active alert and sends its resolve; false when the key was not active. */
  async resolve(key: string): Promise<boolean> {
    const id = await this.store.activeId(key);
    if (id === null) return false;
    const alert = await this.store.alert(id);
    if (!alert) return false;
    const now = this.now();
    const resolved: AlertPayload = { ...alert, state: 'resolved', resolvedAt: new Date(now).toISOString() };
    return this.store.resolve(resolved, await this.notifications('resolved', resolved, now), now);
  }

  /**
   * Makes the active alerts of `kinds` match `current`, the conditions of those kinds true
   * now: new ones are raised, active ones no longer in `current` resolved.
   */
  async sync(kinds: readonly AlertKind[], current: readonly AlertCondition[]): Promise<void> {
    const wanted = new Set(current.map((c) => c.key));
    for (const condition of current) await this.raise(condition);
    for (const key of await this.store.activeKeys()) {
      if (!wanted.has(key) && kinds.some((kind) => key.startsWith(`${kind}:`))) await this.resolve(key);
    }
  }

  list(): Promise<{ active: Alert[]; recent: Alert[] }> {
    return this.store.list();
  }

  /** One attempt for each due delivery; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const due = await this.store.due(this.now(), this.batch);
    if (due.length === 0) return 0;
    const webhooks = new Map((await this.store.webhooks()).map((w) => [w.url, w]));
    await Promise.all(due.map((record) => this.attempt(record, webhooks.get(record.url))));
    return due.length;
  }

  private async attempt(record: DeliveryRecord, webhook: StoredWebhook | undefined): Promise<void> {
    if (!webhook) {
      await this.store.saveAttempt({ ...record, status: 'failed', lastError: 'the webhook was removed from the settings before delivery', nextAttemptAt: undefined }, null);
      return;
    }
    // The secret is looked up per attempt: a rotated secret signs the retries too.
    const result = await sendWebhook({ url: webhook.url, secret: webhook.secret }, record.body, record.id, this.timeoutMs);
    const attempts = record.attempts + 1;
    const now = this.now();
    if (result.ok) {
      await this.store.saveAttempt({ ...record, attempts, status: 'delivered', deliveredAt: new Date(now).toISOString(), nextAttemptAt: undefined }, null);
    } else if (attempts >= this.maxAttempts) {
      await this.store.saveAttempt({ ...record, attempts, status: 'failed', lastError: result.error, nextAttemptAt: undefined }, null);
    } else {
      const retryAt = now + Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempts - 1));
      await this.store.saveAttempt({ ...record, attempts, status: 'pending', lastError: result.error, nextAttemptAt: new Date(retryAt).toISOString() }, retryAt);
    }
  }

  /** A sample alert sent once, now, to every webhook (no retries, nothing stored): each one's outcome. */
  async test(): Promise<WebhookTestResult[]> {
    const webhooks = await this.store.webhooks();
    const now = new Date(this.now()).toISOString();
    const sample: AlertPayload = {
      id: randomUUID(),
      key: 'test:sample',
      kind: 'slo',
      severity: 'info',
      summary: 'Test notification from Triage: webhook delivery works',
      details: { note: 'sent by POST /api/v1/alerts/test; no condition is active' },
      link: '/alerts',
      state: 'active',
      startedAt: now,
    };
    return Promise.all(
      webhooks.map(async (webhook) => {
        const result = await sendWebhook(webhook, notificationBody(webhook.format, 'test', sample), `test-${randomUUID()}`, this.timeoutMs);
        return { url: webhook.url, format: webhook.format, ...result };
      }),
    );
  }

  private async notifications(event: Exclude<NotificationEvent, 'test'>, alert: AlertPayload, now: number): Promise<DeliveryRecord[]> {
    const sentAt = new Date(now);
    return (await this.store.webhooks()).map((webhook) => ({
      id: randomUUID(),
      alertId: alert.id,
      event,
      url: webhook.url,
      format: webhook.format,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: sentAt.toISOString(),
      body: notificationBody(webhook.format, event, alert, sentAt),
    }));
  }
}

function checkKey(key: string, kind: AlertKind): void {
  if (!key.startsWith(`${kind}:`) || key.length === kind.length + 1) {
    throw new TriageError('INVALID', `an alert key starts with its kind and a colon, e.g. "${kind}:<what>"; got ${JSON.stringify(key)}`);
  }
}
