'use client';

import { getJson, isApiError } from './api';

export interface OperationProgress {
  scanned: number;
  matched: number;
  moved: number;
}

interface OperationRecord {
  status: 'running' | 'succeeded' | 'failed';
  progress: OperationProgress;
}

const POLL_MS = 400;

/** An id the client picks for a control request, so its progress can be read while it runs. */
export function newOperationId(): string {
  return crypto.randomUUID();
}

/**
 * Runs `send` (a control request carrying `operationId`) and reports the server's progress
 * counts while it runs, polling GET /api/v1/operations/{id}. The record appears only once
 * the server started the operation, so a 404 meanwhile just means "not yet".
 */
export async function withProgress<T>(operationId: string, send: () => Promise<T>, onProgress: (p: OperationProgress) => void): Promise<T> {
  let done = false;
  const poll = async () => {
    while (!done) {
      try {
        const record = await getJson<OperationRecord>(`/api/v1/operations/${encodeURIComponent(operationId)}`);
        if (!done) onProgress(record.progress);
      } catch (error) {
        if (!isApiError(error) || error.status !== 404) return;
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
