import { expect, test } from '@playwright/test';
import {
  createUser,
  deleteUser,
  enqueue,
  getQueue,
  guardConsole,
  logIn,
  queuePath,
  spawnWorker,
  uniqueQueue,
  type SpawnedWorker,
  type TestUser,
} from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';
import type { MessagePage } from '../lib/shared/types';

/**
 * Journey: a task that always fails is retried by a worker until its retries run out and
 * lands in `<queue>.dead`. An operator finds it on the Dead letters page with its error,
 * retries it at a new priority (preview, then the exact result), and it is back on its queue.
 */

const queue = uniqueQueue('dead');
const deadQueue = `${queue}.dead`;
let user: TestUser | null = null;
let worker: SpawnedWorker | null = null;

test.afterAll(async ({ request }) => {
  await worker?.stop();
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

async function waiting(request: Parameters<typeof getQueue>[0], name: string): Promise<MessagePage> {
  const response = await request.get(`${queuePath('redis', name, '/messages')}?limit=50`, {
    headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` },
  });
  // The dead-letter queue exists only once the worker dead-lettered something.
  if (response.status() === 404) return { messages: [], nextCursor: null };
  expect(response.ok(), `GET messages of ${name}: ${response.status()}`).toBe(true);
  return (await response.json()) as MessagePage;
}

test('retry a dead-lettered task from the Dead letters page', async ({ page, request }) => {
  const guard = guardConsole(page);
  let id = '';
  await test.step('a task that always fails is dead-lettered by a worker', async () => {
    await declareRedisQueues(queue);
    // flaky fails while retries < fail_times; 100 outlasts its 4 retries.
    id = (await enqueue(request, 'redis', queue, { task: 'myapp.tasks.flaky', args: [], kwargs: { fail_times: 100 }, priority: 6 }))[0]!;
    worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
    await expect.poll(async () => (await waiting(request, deadQueue)).messages.map((m) => m.id), { timeout: 60_000 }).toEqual([id]);
    // Stopped, so the retried task stays on its queue for us to see.
    await worker.stop();
    worker = null;
    expect((await getQueue(request, 'redis', queue)).depth).toBe(0);
  });

  await test.step('the Dead letters page lists it with its error and retries', async () => {
    user = await createUser(request, 'operator');
    await logIn(page, user, '/dead-letters');
    await page.goto(`/dead-letters?queue=${encodeURIComponent(`redis/${deadQueue}`)}`);
    const row = page.getByTestId(`dead-row-${id}`);
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText('myapp.tasks.flaky');
    await expect(row.getByTestId('dead-error')).toContainText('upstream unavailable');
    await expect(row).toContainText('max retries');
    await expect(page.getByRole('link', { name: id })).toHaveAttribute('href', `/tasks/${id}`);
    await page.screenshot({ path: 'e2e/screenshots/dead-letters.png', fullPage: true });
  });

  await test.step('a delete can be called off with Escape: nothing changes', async () => {
    await page.getByTestId(`dead-row-${id}`).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByTestId('bulk-dialog');
    await expect(dialog.getByTestId('bulk-preview')).toContainText('1 task in 1 dead-letter queue');
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    expect((await waiting(request, deadQueue)).messages.map((m) => m.id)).toEqual([id]);
  });

  await test.step('retry it at priority 1: preview, then the exact result', async () => {
    await page.getByLabel(`select myapp.tasks.flaky ${id}`).check();
    await expect(page.getByTestId('dead-bulk-bar')).toContainText('1 selected');
    await page.getByRole('button', { name: 'Retry selected' }).click();
    const dialog = page.getByTestId('bulk-dialog');
    await expect(dialog.getByTestId('bulk-preview')).toContainText('1 task in 1 dead-letter queue');
    await expect(dialog).toContainText(`redis/${deadQueue}: 1`);
    await dialog.getByLabel('Back to their queue at').selectOption('1');
    await dialog.getByRole('button', { name: 'Retry 1' }).click();
    await expect(dialog.getByTestId('bulk-result')).toContainText('Retried 1 of 1 selected.');
    await page.screenshot({ path: 'e2e/screenshots/dead-letter-retry.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByTestId(`dead-row-${id}`)).toHaveCount(0, { timeout: 30_000 });
  });

  await test.step('it is back on its queue at the new priority, with its retries reset', async () => {
    const back = await waiting(request, queue);
    expect(back.messages.map((m) => ({ id: m.id, task: m.task, retries: m.retries, dead: m.deadLetter ?? null }))).toEqual([
      { id, task: 'myapp.tasks.flaky', retries: 0, dead: null },
    ]);
    const current = await getQueue(request, 'redis', queue);
    expect(current.depth).toBe(1);
    expect(current.byPriority[String(current.levelOf[1])]).toBe(1);
    expect((await waiting(request, deadQueue)).messages).toEqual([]);
  });

  await test.step('and a worker runs it again', async () => {
    worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
    // It fails again (fail_times 100) and, with fresh retries, ends in the dead-letter queue once more.
    await expect.poll(async () => (await waiting(request, deadQueue)).messages.map((m) => m.id), { timeout: 60_000 }).toEqual([id]);
    expect((await getQueue(request, 'redis', queue)).depth).toBe(0);
  });
  guard.assertClean();
});
