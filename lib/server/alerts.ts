import { hostname } from 'node:os';
import { AlertCenter } from '@/lib/alerts/center';
import { startAlertLoop, type AlertLoop } from '@/lib/alerts/loop';
import { AlertStore, webhookOrigin } from '@/lib/alerts/store';
import type { AlertsConfigInput, AlertsConfigView, AlertList, WebhookTestResult } from '@/lib/shared/alerts';
import type { Actor } from './auth';
import { auditedRequest } from './audit-trail';
import { runtime, type Runtime } from './runtime';
import { getSampler } from './sampler';

/**
 * The alert center of this server process, over the runtime's state Redis. The alert loop
 * raises and resolves SLO breaches from the states the SLO evaluator stores (whichever
 * replica holds that lease); any replica may raise or resolve, the leader delivers.
 */

const holder = globalThis as typeof globalThis & { __triageAlerts?: { runtime: Runtime; center: AlertCenter; loop?: AlertLoop } };

function current() {
  const rt = runtime();
  if (!holder.__triageAlerts || holder.__triageAlerts.runtime !== rt) {
    holder.__triageAlerts = { runtime: rt, center: new AlertCenter(new AlertStore(rt.state.redis, rt.state.prefix)) };
  }
  return holder.__triageAlerts;
}

export function alertCenter(): AlertCenter {
  return current().center;
}

/** Snapshots older than this are not used to judge brokers and queues: the sampler is asked for a new one. */
const SNAPSHOT_MAX_AGE_MS = 15_000;

/** Starts contending for the alerts lease (server start-up); a second call does nothing. */
export async function startAlerting(): Promise<void> {
  const entry = current();
  if (entry.loop) return;
  const rt = entry.runtime;
  const sampler = await getSampler();
  entry.loop = startAlertLoop({
    center: entry.center,
    lease: rt.state.leaderLease('alerts', `${hostname()}:${process.pid}`),
    readSnapshot: () => sampler.snapshot(SNAPSHOT_MAX_AGE_MS),
    readWorkers: () => rt.state.workers.list(),
    readSloStates: () => rt.state.slos.states(),
    onError: (err, where) => rt.logger.warn({ err, where }, 'alert loop error'),
  });
}

export function listAlerts(): Promise<AlertList> {
  return alertCenter().list();
}

export function alertsConfig(): Promise<AlertsConfigView> {
  return alertCenter().store.configView();
}

export function setAlertsConfig(actor: Actor | null, input: AlertsConfigInput): Promise<AlertsConfigView> {
  // The audit entry names origins and formats only: a webhook URL's path can be its credential.
  const params = { webhooks: input.webhooks.map((w) => ({ origin: webhookOrigin(w.url), format: w.format, secret: w.secret === undefined ? 'kept' : w.secret === null ? 'removed' : 'set' })) };
  return auditedRequest(actor, { action: 'alerts.config', target: {}, params }, () => alertCenter().store.setWebhooks(input), (view) => ({ webhooks: view.webhooks.length }));
}

export async function testAlerts(actor: Actor | null): Promise<{ results: WebhookTestResult[] }> {
  const results = await auditedRequest(actor, { action: 'alerts.test', target: {}, params: {} }, () => alertCenter().test(), (r) => ({
    sent: r.length,
    delivered: r.filter((x) => x.ok).length,
  }));
  return { results };
}
