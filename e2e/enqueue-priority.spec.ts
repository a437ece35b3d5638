import { expect, test } from '@playwright/test';
import {
  createUser,
  deleteTasksNamed,
  deleteUser,
  enqueue,
  getQueue,
  getTask,
  guardConsole,
  logIn,
  spawnWorker,
  uniqueQueue,
  type TaskRecordView,
  type TestUser,
  type SpawnedWorker,
} from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: a developer enqueues 50 urgent tasks from the enqueue dialog onto a queue where
 * low-priority work is already waiting; once a worker starts, every urgent task runs before
 * any of the waiting ones, and the task page follows the first one live until it completes.
 */

const TASK = 'triage.tasks.sleep';
// Not scaled by the worker: each task holds the single slot this long, so start times are strictly ordered.
const SLEEP_MS = 20;
const URGENT = 50;
const WAITING = 10;

function startedAt(record: TaskRecordView): number {
  const active = record.history.find((h) => h.state === 'active');
  expect(active, `task ${record.id} has an active entry`).toBeDefined();
  return Date.parse(active!.at);
}

test('50 priority-0 tasks from the dialog run before waiting priority-9 tasks', async ({ page, request }) => {
  const guard = guardConsole(page);
  const queue = uniqueQueue('enqueue');
  let operator: TestUser | null = null;
  let worker: SpawnedWorker | null = null;
  await declareRedisQueues(queue);
  try {
    const waiting = await enqueue(request, 'redis', queue, { task: TASK, args: [SLEEP_MS], priority: 9, count: WAITING });
    operator = await createUser(request, 'operator');
    await logIn(page, operator);

    let urgent: string[] = [];
    await test.step('enqueue 50 at priority 0 through the dialog', async () => {
      await page.getByTestId('enqueue-open').click();
      const dialog = page.getByTestId('enqueue-dialog');
      await expect(dialog).toBeVisible();
      await dialog.getByLabel('Broker').selectOption('redis');
      await dialog.getByLabel('Queue').fill(queue);
      await dialog.getByLabel('Task name').fill(TASK);
      await dialog.getByLabel('Args (JSON array)').fill(`[${SLEEP_MS}]`);
      await dialog.getByLabel('Priority').selectOption('0');
      await dialog.getByLabel('How many').fill(String(URGENT));
      const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/${queue}/tasks`));
      await dialog.getByRole('button', { name: /^Enqueue 50 tasks at 0 · high/ }).click();
      const response = await posted;
      expect(response.status()).toBe(201);
      urgent = ((await response.json()) as { ids: string[] }).ids;
      expect(urgent).toHaveLength(URGENT);
      await expect(dialog.getByTestId('enqueue-result-count')).toHaveText('50');
      await expect(dialog.getByTestId('enqueue-first-task')).toHaveText(urgent[0]!);
      const depth = await getQueue(request, 'redis', queue);
      expect(depth.byPriority).toMatchObject({ '0': URGENT, '9': WAITING });
      await page.screenshot({ path: 'e2e/screenshots/enqueue-priority-dialog.png' });
      // The task page of a task no worker has seen yet says so and asks again every 5 s,
      // without a failed request in the console (?missing=empty).
      await dialog.getByTestId('enqueue-first-task').click();
      await expect(page).toHaveURL(new RegExp(`/tasks/${urgent[0]}$`));
      await expect(dialog).toBeHidden();
    });

    await test.step('a worker starts; the task page follows the first task live', async () => {
      // No worker has seen it yet.
      await expect(page.getByTestId('task-not-found')).toBeVisible();
      worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
      await expect(page.getByTestId('task-state')).toHaveText('succeeded', { timeout: 60_000 });
      await expect(page.getByTestId('timeline-state')).toHaveText(['queued', 'active', 'succeeded']);
      await expect(page.getByTestId('task-priority')).toHaveText('0 · high');
    });

    await test.step('every priority-0 task ran before any waiting priority-9 task', async () => {
      const all = [...urgent, ...waiting];
      await expect
        .poll(async () => (await Promise.all(all.map((id) => getTask(request, id)))).filter((r) => r?.state === 'succeeded').length, {
          message: 'all tasks succeeded',
          timeout: 90_000,
        })
        .toBe(all.length);
      const urgentStarts = await Promise.all(urgent.map(async (id) => startedAt((await getTask(request, id))!)));
      const waitingStarts = await Promise.all(waiting.map(async (id) => startedAt((await getTask(request, id))!)));
      expect(Math.max(...urgentStarts)).toBeLessThan(Math.min(...waitingStarts));
      // Within one priority the queue is FIFO.
      expect(urgentStarts).toEqual([...urgentStarts].sort((a, b) => a - b));
    });

    await test.step('a waiting task shows its own timeline', async () => {
      await page.goto(`/tasks/${waiting[0]}`);
      await expect(page.getByTestId('task-state')).toHaveText('succeeded');
      await expect(page.getByTestId('task-priority')).toHaveText('9 · low');
      await expect(page.getByTestId('timeline-state')).toHaveText(['queued', 'active', 'succeeded']);
      await page.goto(`/tasks/${urgent[0]}`);
      await expect(page.getByTestId('task-state')).toHaveText('succeeded');
      await page.screenshot({ path: 'e2e/screenshots/enqueue-priority.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/enqueue-priority-dark.png', fullPage: true });
    });
    guard.assertClean();
  } finally {
    if (worker) await (worker as SpawnedWorker).stop();
    await deleteTasksNamed(request, 'redis', queue, TASK);
    if (operator) await deleteUser(request, operator);
    await removeRedisQueues(queue);
  }
});
