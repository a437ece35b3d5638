import { describeError } from '@/lib/shared/errors';
import type { RetryManyResult } from '@/lib/shared/task-failures';
import type { ControlContext } from './context';
import { retryTask } from './retry';

/**
 * Retries several tasks by id, one after another, each exactly as a single retry (found in
 * a dead-letter queue or a Celery result backend, audited as its own `retry`). Returns what
 * it actually did: an id that cannot be retried is reported, never fatal to the others.
 */
export async function retryTasks(ctx: ControlContext, input: { ids: readonly string[]; priority?: number; defaultPriority: number }): Promise<RetryManyResult> {
  const ids = [...new Set(input.ids)];
  const failed: RetryManyResult['failed'] = [];
  let retried = 0;
  for (const id of ids) {
    try {
      await retryTask(ctx, { id, ...(input.priority !== undefined ? { priority: input.priority } : {}), defaultPriority: input.defaultPriority });
      retried += 1;
    } catch (error) {
      failed.push({ id, message: describeError(error) });
    }
  }
  return { matched: ids.length, retried, failed };
}
