import type { Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import { stateKeys } from '@/lib/state/keys';
import type { Alert, AlertDelivery, AlertsConfigInput, AlertsConfigView, WebhookFormat } from '@/lib/shared/alerts';
import type { AlertPayload } from './webhook';

/**
 * Alerts in the state Redis, so every replica lists the same ones and a new leader carries
 * on where the last one stopped: the active alert per condition key, the recent resolved
 * ones, the webhook settings, and the delivery outbox (pending webhook calls by due time).
 * Raising and resolving are one Lua step each: the alert and its notifications are written
 * together or not at all, and a key already active (or already resolved) writes nothing.
 */

/** Resolved alerts and delivery records are kept this long (the recent list is capped too). */
const RETENTION_SEC = 7 * 24 * 3600;
export const RECENT_KEPT = 100;

export interface StoredWebhook {
  url: string;
  format: WebhookFormat;
  secret?: string;
}

/** A queued webhook call: the body is fixed when the notification is queued, so a retry sends the same bytes. */
export interface DeliveryRecord extends AlertDelivery {
  alertId: string;
  body: string;
}

/**
 * Lua shared by both scripts: the (delivery id, json) pairs from ARGV[first] on are written to
 * KEYS[first..], listed under the alert (KEYS[3]) and queued in the outbox (KEYS[4]) due ARGV[4].
 */
const queueDeliveries = (first: number) => `
for i = ${first}, #ARGV, 2 do
  local k = (i - ${first}) / 2 + ${first}
  redis.call('SET', KEYS[k], ARGV[i + 1], 'EX', ${RETENTION_SEC})
  redis.call('RPUSH', KEYS[3], ARGV[i])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[i])
end`;

/**
 * KEYS[1] active hash, KEYS[2] alert json, KEYS[3] alert's delivery list, KEYS[4] outbox, KEYS[5..] delivery records
 * ARGV[1] condition key, ARGV[2] alert id, ARGV[3] alert json, ARGV[4] due (ms), ARGV[5..] delivery id, delivery json pairs
 * → 1 raised, 0 the key already had an active alert (nothing written).
 */
const RAISE_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
${queueDeliveries(5)}
return 1
`;

/**
 * KEYS[1] active hash, KEYS[2] alert json, KEYS[3] alert's delivery list, KEYS[4] outbox, KEYS[5] recent, KEYS[6..] delivery records
 * ARGV[1] condition key, ARGV[2] alert id, ARGV[3] resolved alert json, ARGV[4] due (ms), ARGV[5] recent kept, ARGV[6..] pairs
 * → 1 resolved, 0 the key's active alert is not ARGV[2] any more (resolved already).
 */
const RESOLVE_LUA = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ${RETENTION_SEC})
redis.call('EXPIRE', KEYS[3], ${RETENTION_SEC})
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(tonumber(ARGV[5]) + 1))
${queueDeliveries(6)}
return 1
`;

export class AlertStore {
  private readonly keys: ReturnType<typeof stateKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  async webhooks(): Promise<StoredWebhook[]> {
    const raw = await this.redis.get(this.keys.alertsConfig);
    if (!raw) return [];
    return (JSON.parse(raw) as { webhooks: StoredWebhook[] }).webhooks;
  }

  /** Replaces the webhooks; a webhook given without `secret` keeps the one its URL had. */
  async setWebhooks(input: AlertsConfigInput): Promise<AlertsConfigView> {
    const before = new Map((await this.webhooks()).map((w) => [w.url, w]));
    const webhooks: StoredWebhook[] = input.webhooks.map(({ url, format, secret }) => {
      const kept = secret === undefined ? before.get(url)?.secret : (secret ?? undefined);
      return kept ? { url, format, secret: kept } : { url, format };
    });
    await this.redis.set(this.keys.alertsConfig, JSON.stringify({ webhooks }));
    return viewOf(webhooks);
  }

  async configView(): Promise<AlertsConfigView> {
    return viewOf(await this.webhooks());
  }

  async activeId(conditionKey: string): Promise<string | null> {
    return this.redis.hget(this.keys.alertsActive, conditionKey);
  }

  async activeKeys(): Promise<string[]> {
    return this.redis.hkeys(this.keys.alertsActive);
  }

  async alert(id: string): Promise<AlertPayload | null> {
    const raw = await this.redis.get(this.keys.alert(id));
    return raw ? (JSON.parse(raw) as AlertPayload) : null;
  }

  /** False when the condition key already has an active alert: nothing is written. */
  async raise(alert: AlertPayload, deliveries: DeliveryRecord[], now: number): Promise<boolean> {
    const keys = [this.keys.alertsActive, this.keys.alert(alert.id), this.keys.alertDeliveries(alert.id), this.keys.alertOutbox, ...deliveries.map((d) => this.keys.alertDelivery(d.id))];
    const args = [alert.key, alert.id, JSON.stringify(alert), String(now), ...deliveries.flatMap((d) => [d.id, JSON.stringify(d)])];
    return (await this.redis.eval(RAISE_LUA, keys.length, ...keys, ...args)) === 1;
  }

  /** False when the alert is no longer the active one of its key (resolved by someone else). */
  async resolve(resolved: AlertPayload, deliveries: DeliveryRecord[], now: number): Promise<boolean> {
    const keys = [
      this.keys.alertsActive, this.keys.alert(resolved.id), this.keys.alertDeliveries(resolved.id), this.keys.alertOutbox, this.keys.alertsRecent,
      ...deliveries.map((d) => this.keys.alertDelivery(d.id)),
    ];
    const args = [resolved.key, resolved.id, JSON.stringify(resolved), String(now), String(RECENT_KEPT), ...deliveries.flatMap((d) => [d.id, JSON.stringify(d)])];
    return (await this.redis.eval(RESOLVE_LUA, keys.length, ...keys, ...args)) === 1;
  }

  /** Active alerts (oldest first) and the `recentLimit` latest resolved ones, each with its deliveries. */
  async list(recentLimit = 50): Promise<{ active: Alert[]; recent: Alert[] }> {
    const [activeIds, recentIds] = await Promise.all([
      this.redis.hvals(this.keys.alertsActive),
      this.redis.zrevrange(this.keys.alertsRecent, 0, recentLimit - 1),
    ]);
    const [active, recent] = await Promise.all([this.withDeliveries(activeIds), this.withDeliveries(recentIds)]);
    return { active: active.sort((a, b) => a.startedAt.localeCompare(b.startedAt)), recent };
  }

  private async withDeliveries(ids: string[]): Promise<Alert[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.get(this.keys.alert(id)).lrange(this.keys.alertDeliveries(id), 0, -1);
    const results = await execOrThrow(pipeline);
    const alerts: { alert: AlertPayload; deliveryIds: string[] }[] = [];
    for (let i = 0; i < ids.length; i++) {
      const raw = results[2 * i] as string | null;
      if (raw) alerts.push({ alert: JSON.parse(raw) as AlertPayload, deliveryIds: (results[2 * i + 1] as string[] | null) ?? [] });
    }
    const allIds = alerts.flatMap((a) => a.deliveryIds);
    const records = new Map((await this.deliveries(allIds)).map((d) => [d.id, d]));
    return alerts.map(({ alert, deliveryIds }) => ({
      ...alert,
      deliveries: deliveryIds.flatMap((id) => {
        const record = records.get(id);
        if (!record) return [];
        return [deliveryView(record)];
      }),
    }));
  }

  async deliveries(ids: string[]): Promise<DeliveryRecord[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.alertDelivery(id)));
    return raws.flatMap((raw) => (raw ? [JSON.parse(raw) as DeliveryRecord] : []));
  }

  /** Deliveries due by `now`, earliest first. */
  async due(now: number, limit: number): Promise<DeliveryRecord[]> {
    const ids = await this.redis.zrangebyscore(this.keys.alertOutbox, '-inf', now, 'LIMIT', 0, limit);
    const records = await this.deliveries(ids);
    const found = new Set(records.map((r) => r.id));
    // A record that expired (or was never written) would sit in the outbox forever.
    const orphans = ids.filter((id) => !found.has(id));
    if (orphans.length > 0) await this.redis.zrem(this.keys.alertOutbox, ...orphans);
    return records;
  }

  /** Saves the attempt's outcome: back in the outbox at `retryAt`, or out of it for good (null). */
  async saveAttempt(record: DeliveryRecord, retryAt: number | null): Promise<void> {
    const multi = this.redis.multi().set(this.keys.alertDelivery(record.id), JSON.stringify(record), 'KEEPTTL');
    if (retryAt === null) multi.zrem(this.keys.alertOutbox, record.id);
    else multi.zadd(this.keys.alertOutbox, retryAt, record.id);
    await execOrThrow(multi);
  }

  async pendingCount(): Promise<number> {
    return this.redis.zcard(this.keys.alertOutbox);
  }
}

/** A delivery as the alert list shows it: no body, the webhook's origin only. */
function deliveryView(record: DeliveryRecord): AlertDelivery {
  const view: AlertDelivery = { id: record.id, event: record.event, url: webhookOrigin(record.url), format: record.format, status: record.status, attempts: record.attempts };
  if (record.nextAttemptAt) view.nextAttemptAt = record.nextAttemptAt;
  if (record.deliveredAt) view.deliveredAt = record.deliveredAt;
  if (record.lastError) view.lastError = record.lastError;
  return view;
}

function viewOf(webhooks: StoredWebhook[]): AlertsConfigView {
  return { webhooks: webhooks.map((w) => ({ url: w.url, format: w.format, hasSecret: Boolean(w.secret) })) };
}

/**
 * What the alert list shows of a webhook: its origin only. The path of a webhook URL is often
 * its credential (Slack's `/services/T…/B…/<token>`), and viewers read the alert list.
 */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid url';
  }
}
