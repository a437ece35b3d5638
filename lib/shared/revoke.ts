/**
 * Revoke and terminate (issue 19 §3), shared by the API, the workers and the browser.
 * The signal names are Celery's (`revoke(terminate=True, signal=…)`); Triage's worker reads
 * SIGTERM as "abort, then stop the slot after a grace period" and SIGKILL as "stop it now".
 */
export const REVOKE_SIGNALS = ['SIGTERM', 'SIGKILL'] as const;
export type RevokeSignal = (typeof REVOKE_SIGNALS)[number];

/** A waiting task's queue emptied of it, and where its message was kept for undo. */
export interface RevokeArchive {
  broker: string;
  queue: string;
  archiveId: string;
  count: number;
}

/** The answer of both revoke endpoints. */
export interface RevokeResult {
  /** Tasks the selection found: waiting in a queue or known from a task record. */
  matched: number;
  /** Ids now revoked that were not final yet (a dry run revokes none). */
  revoked: number;
  /** Running tasks told to terminate: active per their record, or named by a Celery worker's reply. */
  terminated: number;
  /** Waiting messages taken out of their queues, restorable like a purge. */
  archives: RevokeArchive[];
  /** Ids not final that an earlier or concurrent revoke had revoked already (and, with terminate, asked to terminate): nothing more done. */
  alreadyRevoked?: number;
  /** By filter: the call stopped at its bound (1,000 tasks, or its scan budget); more may match, so call again. */
  capped?: true;
  dryRun?: true;
}
