import type { Redis } from 'ioredis';
import type { TriageConfig } from '@/lib/config';
import { ArchiveStore } from './archive';
import { AuditLog } from './audit';
import { makeAuthStore, type AuthStore } from './auth-store';
import { EventLog } from './events';
import { HistoryStore } from './history';
import { LeaderLease } from './leader-lease';
import { stateKeys, type StateKeys } from './keys';
import { OperationStore, lockQueue, queueLockHolder } from './operations';
import { PauseStore } from './pause-store';
import { RevokeStore } from './revokes';
import { RuleStore } from './rules';
import { SecurityLog } from './security-log';
import { SloStore } from './slo-store';
import { TaskIndex } from './task-index';
import { TaskStore } from './task-store';
import { UndoRecordStore } from './undo-records';
import { WaitTimeStore } from './wait-times';
import { WorkerMailbox } from './worker-mailbox';
import { WorkerStore } from './worker-store';

/**
 * Triage's own state, every store over one state Redis client and key prefix: what the
 * server, the control operations and the CLI use instead of the raw client. Stores hold no
 * state of their own, so building them all is cheap; build one facade per client.
 */
export interface TriageState {
  /** The client underneath, for health checks (PING) and the sampler's history lock. */
  redis: Redis;
  prefix: string;
  keys: StateKeys;
  tasks: TaskStore;
  /** The task explorer's listing over `tasks` (the same instance as `tasks.index`). */
  taskIndex: TaskIndex;
  events: EventLog;
  workers: WorkerStore;
  /** Commands to Triage's workers and their replies (its blocking connections are its own). */
  mailbox: WorkerMailbox;
  pauses: PauseStore;
  /** Revoked task ids Triage's workers skip or stop (lib/worker/revokes.ts). */
  revokes: RevokeStore;
  operations: OperationStore;
  archives: ArchiveStore;
  /** What control operations moved, so their audit entries can be undone (undo-records.ts). */
  undo: UndoRecordStore;
  history: HistoryStore;
  /** Task wait times per queue and priority: the last 15 minutes and the /metrics histogram. */
  waitTimes: WaitTimeStore;
  audit: AuditLog;
  /** Standing rules, their counts and the rule loop's cursors. */
  rules: RuleStore;
  securityLog: SecurityLog;
  /** Users, tokens, sessions and the login throttle (lib/server/users.ts, tokens.ts, session.ts, throttle.ts). */
  auth: AuthStore;
  /** Admin-edited SLOs, every SLO's state per queue and the stream of state changes. */
  slos: SloStore;
  /** Holds one queue for a control operation (operations.ts `lockQueue`). */
  lockQueue(broker: string, queue: string, owner: string): Promise<(() => Promise<void>) | null>;
  /** The operation holding a queue's lock, and when the lock lapses unless renewed. */
  queueLockHolder(broker: string, queue: string): Promise<{ operationId: string; lapsesInMs: number } | null>;
  /** The lease that makes `loop` run in one process of the deployment (hold it with `holdLeadership`). */
  leaderLease(loop: string, holderId: string, ttlMs?: number): LeaderLease;
  /** Drops the client and every connection a store opened of its own. */
  close(): void;
}

export function createTriageState(redis: Redis, config: TriageConfig): TriageState {
  const prefix = config.statePrefix;
  const events = new EventLog(redis, prefix);
  const mailbox = new WorkerMailbox(redis, prefix);
  const taskIndex = new TaskIndex(redis, prefix, { maxAgeSec: config.tasks.retentionSec, maxCount: config.tasks.maxExecutions });
  return {
    redis,
    prefix,
    keys: stateKeys(prefix),
    tasks: new TaskStore(redis, prefix, taskIndex, events),
    taskIndex,
    events,
    workers: new WorkerStore(redis, prefix),
    mailbox,
    pauses: new PauseStore(redis, prefix),
    revokes: new RevokeStore(redis, prefix),
    operations: new OperationStore(redis, prefix),
    archives: new ArchiveStore(redis, prefix),
    undo: new UndoRecordStore(redis, prefix),
    history: new HistoryStore(redis, prefix, config.sampler.historyIntervalSec, config.sampler.historyRetentionSec),
    waitTimes: new WaitTimeStore(redis, prefix),
    audit: new AuditLog(redis, prefix, { maxEntries: config.audit.maxEntries }),
    rules: new RuleStore(redis, prefix),
    securityLog: new SecurityLog(redis, prefix, config.audit.securityMaxEntries),
    auth: makeAuthStore(redis, config),
    slos: new SloStore(redis, prefix),
    lockQueue: (broker, queue, owner) => lockQueue(redis, prefix, broker, queue, owner),
    queueLockHolder: (broker, queue) => queueLockHolder(redis, prefix, broker, queue),
    leaderLease: (loop, holderId, ttlMs = 10_000) => new LeaderLease(redis, stateKeys(prefix).leaderLease(loop), holderId, ttlMs),
    close: () => {
      mailbox.close();
      redis.disconnect();
    },
  };
}
