import { expect, test, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { createUser, deleteUser, enqueue, getTask, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRabbitQueue, deleteRabbitQueue } from './queue-helpers';

/**
 * Journey: the explorer on the layouts where a task's priority and where it is stored part
 * ways. Tasks run from the demo lane group `lanes` (one Redis queue per band) and from a
 * RabbitMQ queue with 4 levels (x-max-priority 4: priorities 1 and 2 share a level, as do
 * 7, 8 and 9). Filtered to the group, by band and by level, the explorer lists exactly the
 * tasks of that priority (the task's own, not its level's neighbours).
 */

const TASK = 'triage.tasks.noop';

async function rowIds(page: Page): Promise<string[]> {
  return (await page.getByTestId('task-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-task-id') ?? ''))).sort();
}

/** Enqueues one task per priority, tagged in its args so this run's rows are told apart; ids by priority. */
async function onePerPriority(request: Parameters<typeof enqueue>[0], broker: string, queue: string, tag: string, priorities: number[]): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const priority of priorities) {
    const [id] = await enqueue(request, broker, queue, { task: TASK, args: [tag], priority, count: 1 });
    ids.set(priority, id!);
  }
  for (const id of ids.values()) await expect.poll(async () => (await getTask(request, id))?.state, { timeout: 60_000 }).toBe('succeeded');
  return ids;
}

test('explorer filtered to a lane group and to a 4-level RabbitMQ queue, by band and by level', async ({ page, request }) => {
  test.setTimeout(180_000);
  const guard = guardConsole(page);
  const tag = `e2e-lanes-${randomUUID().slice(0, 8)}`;
  const rabbit = uniqueQueue('levels4');
  let viewer: TestUser | null = null;
  const workers: SpawnedWorker[] = [];
  await declareRabbitQueue(rabbit, 4);
  try {
    workers.push(await spawnWorker(request, { broker: 'redis', queues: ['lanes'] }));
    workers.push(await spawnWorker(request, { broker: 'rabbitmq', queues: [rabbit] }));
    const lanes = await onePerPriority(request, 'redis', 'lanes', tag, [1, 4, 8]);
    const levels = await onePerPriority(request, 'rabbitmq', rabbit, tag, [0, 1, 2, 5, 8, 9]);
    viewer = await createUser(request, 'viewer');
    await page.setViewportSize({ width: 1440, height: 900 });
    await logIn(page, viewer);
    const rows = page.getByTestId('task-row');

    await test.step('the lane group: its three tasks, whichever lane ran them', async () => {
      await page.goto(`/tasks?queue=lanes&q=${tag}`);
      await expect(rows).toHaveCount(3);
      expect(await rowIds(page)).toEqual([...lanes.values()].sort());
    });

    await test.step('the lane group, high band: the priority-1 task alone', async () => {
      await page.getByLabel('Priority', { exact: true }).selectOption('high');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(page).toHaveURL(/priority=high/);
      await expect(rows).toHaveCount(1);
      expect(await rowIds(page)).toEqual([lanes.get(1)]);
      await expect(rows.getByTestId('task-row-priority')).toHaveText(['P1']);
      await page.screenshot({ path: 'e2e/screenshots/tasks-lanes-high.png' });
    });

    await test.step('4 levels, level of priority 1: the P1 task, not P2 stored beside it', async () => {
      await page.goto(`/tasks?queue=${rabbit}&broker=rabbitmq&q=${tag}`);
      await expect(rows).toHaveCount(6);
      await page.getByLabel('Priority', { exact: true }).selectOption('1');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(rows).toHaveCount(1);
      expect(await rowIds(page)).toEqual([levels.get(1)]);
      await expect(rows.getByTestId('task-row-queue')).toHaveText([rabbit]);
    });

    await test.step('4 levels, bands: high 0–2 and low 6–9 by the tasks’ own priorities', async () => {
      await page.getByLabel('Priority', { exact: true }).selectOption('high');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(rows).toHaveCount(3);
      expect(await rowIds(page)).toEqual([levels.get(0), levels.get(1), levels.get(2)].sort());
      await page.getByLabel('Priority', { exact: true }).selectOption('low');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(rows).toHaveCount(2);
      expect(await rowIds(page)).toEqual([levels.get(8), levels.get(9)].sort());
      await page.screenshot({ path: 'e2e/screenshots/tasks-levels4-low.png' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/tasks-levels4-low-dark.png' });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: 'e2e/screenshots/tasks-levels4-low-phone.png', fullPage: true });
    });
    guard.assertClean();
  } finally {
    for (const worker of workers) await worker.stop();
    if (viewer) await deleteUser(request, viewer);
    await deleteRabbitQueue(rabbit);
  }
});
