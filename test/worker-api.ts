import { afterAll, afterEach } from 'vitest';
import * as taskRoute from '@/app/api/v1/tasks/[id]/route';
import { resetRuntime } from '@/lib/server/runtime';
import type { TaskRecord } from '@/lib/shared/task-record';
import { WorkerHarness } from '@/lib/worker/test-harness';
import { call } from './api-client';
import type { ContractTarget } from './contract/targets';
import { uniqueName } from './support';

/**
 * For API tests that spawn Triage workers (inside a `describe`): `setup(label)` gives a
 * fresh harness with a queue of its own (and `others` more), the API routes reading the same configuration and state as
 * its workers; each test's harness is cleaned up after it. `task(id)` reads a task's record
 * through the API (null before a worker has seen it).
 */
export function workerApi(target: ContractTarget) {
  let harness: WorkerHarness | null = null;
  afterEach(async () => {
    await resetRuntime();
    await harness?.cleanup();
    harness = null;
  });
  afterAll(() => {
    delete process.env.TRIAGE_CONFIG;
    delete process.env.TRIAGE_STATE_PREFIX;
  });
  return {
    /** `others`: how many more queues of its own the harness configures. */
    async setup(label: string, options: { others?: number } = {}): Promise<{ h: WorkerHarness; q: string; others: string[] }> {
      const q = uniqueName(label);
      const others = Array.from({ length: options.others ?? 0 }, () => uniqueName(label));
      harness = new WorkerHarness(target, { queues: [q, ...others].map((name) => ({ name })) });
      process.env.TRIAGE_CONFIG = harness.configPath;
      process.env.TRIAGE_STATE_PREFIX = harness.statePrefix;
      await resetRuntime();
      return { h: harness, q, others };
    },
    async task(id: string): Promise<TaskRecord | null> {
      const res = await call<TaskRecord>(taskRoute.GET, 'GET', `/api/v1/tasks/${id}`, { id });
      return res.status === 200 ? res.body : null;
    },
  };
}
