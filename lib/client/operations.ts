'use client';

import { absentAsAnswer, getJson } from './api';

export interface OperationProgress {
  scanned: number;
  matched: number;
  moved: number;
}

export interface OperationRecord {
  id: string;
  action: string;
  /**
   * `pending`: the server has not started it yet (asked with `?pending=1`); `interrupted`: the
   * process running it died (run it again to finish).
   */
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  progress: OperationProgress;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

/** Polled while the request that starts it is in flight: an id not recorded yet is `pending`, not a 404. */
export function operationPath(id: string): string {
  return absentAsAnswer(`/api/v1/operations/${encodeURIComponent(id)}`, 'pending');
}

const POLL_MS = 400;

/** An id the client picks for a control request, so its progress can be read while it runs. */
export function newOperationId(): string {
  return `ui-${crypto.randomUUID()}`;
}

/**
 * Runs `send` (a control request carrying `operationId`) and reports the server's progress
 * counts while it runs, polling GET /api/v1/operations/{id}?pending=1 (an operation the
 * server has not started yet answers `pending`).
 */
export async function withProgress<T>(operationId: string, send: () => Promise<T>, onProgress: (p: OperationProgress) => void): Promise<T> {
  let done = false;
  const poll = async () => {
    while (!done) {
      try {
        const record = await getJson<OperationRecord>(operationPath(operationId));
        if (!done) onProgress(record.progress);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  void poll();
  try {
    return await send();
  } finally {
    done = true;
  }
}
