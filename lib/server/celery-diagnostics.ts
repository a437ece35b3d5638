import { brokerDriver } from '@/lib/brokers/registry';
import type { QueueBroker } from '@/lib/brokers/types';
import { celeryWorkerId } from '@/lib/celery/events';
import { DIAGNOSTIC_COMMANDS, diagnose, fromReplies, type WorkerDiagnosis, type WorkerReport } from '@/lib/celery/diagnostics';
import { describeError } from '@/lib/shared/errors';
import type { Queue } from '@/lib/shared/types';
import type { WorkerView } from '@/lib/state/worker-store';
import { listBrokerQueues } from './listing-cache';
import { runtime, type Runtime } from './runtime';

/**
 * Diagnoses of real Celery workers, asked over remote control at most once per
 * REFRESH_MS per broker and server process, so API requests and the live feed never each
 * broadcast, and never wait for one: they get the latest answers (none before the first
 * arrived) while a stale entry is refreshed in the background, replies waited for at most
 * REPLY_TIMEOUT_MS.
 */
export const REFRESH_MS = 30_000;
export const REPLY_TIMEOUT_MS = 1500;

interface Entry {
  at: number;
  kind: Queue['kind'];
  reports: WorkerReport[];
  /** The broker's queues when the workers were asked: what worker warnings are judged against. */
  queues: Queue[];
}

interface BrokerCache {
  entry: Entry | null;
  inflight: Promise<void> | null;
}

const caches = new WeakMap<Runtime, Map<string, BrokerCache>>();

async function ask(rt: Runtime, broker: QueueBroker): Promise<Entry> {
  const at = Date.now();
  try {
    // A fresh listing (a queue declared just now must be judged now, not 30 s later), but
    // one that joins a scrape already running and refreshes the API's cached listing.
    const [replies, queues] = await Promise.all([broker.control.inspect(DIAGNOSTIC_COMMANDS, REPLY_TIMEOUT_MS), listBrokerQueues(broker, 0)]);
    return { at, kind: broker.kind, reports: fromReplies(replies), queues };
  } catch (error) {
    // A broker that is down has no workers to diagnose; try again after the interval.
    rt.logger.warn({ err: describeError(error), broker: broker.id }, 'celery remote-control diagnosis failed');
    return { at, kind: broker.kind, reports: [], queues: [] };
  }
}

/** The cached entry (null before the first answer); starts a refresh when there is none or it is stale. */
function entryFor(rt: Runtime, broker: QueueBroker): Entry | null {
  let perBroker = caches.get(rt);
  if (!perBroker) caches.set(rt, (perBroker = new Map()));
  let cache = perBroker.get(broker.id);
  if (!cache) perBroker.set(broker.id, (cache = { entry: null, inflight: null }));
  const current = cache;
  if (!current.inflight && (!current.entry || Date.now() - current.entry.at >= REFRESH_MS)) {
    current.inflight = ask(rt, broker).then((entry) => {
      current.entry = entry;
      current.inflight = null;
    });
  }
  return current.entry;
}

export interface CeleryDiagnoses {
  /** Warnings to add to a queue. */
  queueWarnings(queue: Queue): string[];
  /** Workers as the API lists them: Celery ones completed from what they reported, plus those only remote control found. */
  workers(views: readonly WorkerView[]): WorkerView[];
}

/** The latest diagnoses of every given broker's Celery workers (none until the first answers arrived). */
export function celeryDiagnoses(brokers: readonly QueueBroker[]): CeleryDiagnoses {
  const rt = runtime();
  const entries = new Map<string, Entry>();
  for (const broker of brokers.filter((b) => b.control.capabilities.remoteControl)) {
    const entry = entryFor(rt, broker);
    if (entry) entries.set(broker.id, entry);
  }
  return {
    queueWarnings(queue) {
      const entry = entries.get(queue.broker);
      return entry ? (diagnose(brokerDriver(entry.kind).celeryRules, entry.reports, [queue]).queueWarnings.get(queue.name) ?? []) : [];
    },
    workers(views) {
      const out: WorkerView[] = views.map((v) => ({ ...v, warnings: v.warnings ?? [] }));
      for (const [brokerId, entry] of entries) {
        for (const found of diagnose(brokerDriver(entry.kind).celeryRules, entry.reports, entry.queues).workers) {
          const id = celeryWorkerId(brokerId, found.hostname);
          const index = out.findIndex((v) => v.id === id);
          if (index >= 0) out[index] = completed(out[index]!, found);
          else out.push(fromRemoteControl(id, brokerId, entry.at, found));
        }
      }
      return out;
    },
  };
}

/** Per slot, as for Triage's workers; Celery's prefetch_count is for the whole pool (0 = unlimited, shown as 0). */
function perSlot(found: WorkerDiagnosis): number | null {
  if (found.prefetch === null || !found.concurrency) return null;
  return Math.ceil(found.prefetch / found.concurrency);
}

function completed(view: WorkerView, found: WorkerDiagnosis): WorkerView {
  return {
    ...view,
    pid: view.pid || found.pid || 0,
    concurrency: found.concurrency ?? view.concurrency,
    prefetch: perSlot(found) ?? view.prefetch,
    queues: found.queues.length > 0 ? found.queues : view.queues,
    warnings: found.warnings,
  };
}

/** A worker that answered remote control but whose events never reached Triage (no -E, or Triage started after it). */
function fromRemoteControl(id: string, brokerId: string, at: number, found: WorkerDiagnosis): WorkerView {
  return {
    id,
    hostname: found.hostname,
    pid: found.pid ?? 0,
    broker: brokerId,
    queues: found.queues,
    concurrency: found.concurrency ?? 0,
    prefetch: perSlot(found) ?? 0,
    active: 0,
    processed: found.processed ?? 0,
    failed: 0,
    paused: false,
    pausedQueues: [],
    state: 'online',
    startedAt: new Date(at - (found.uptimeSec ?? 0) * 1000).toISOString(),
    lastHeartbeatAt: new Date(at).toISOString(),
    heartbeatIntervalMs: REFRESH_MS,
    stale: false,
    warnings: found.warnings,
  };
}
