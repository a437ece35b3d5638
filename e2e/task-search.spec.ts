import { expect, test } from '@playwright/test';
import {
  createUser,
  deleteTasksNamed,
  deleteUser,
  enqueue,
  getMessages,
  getTask,
  guardConsole,
  logIn,
  spawnWorker,
  uniqueQueue,
  type TestUser,
  type SpawnedWorker,
} from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: a support engineer has a task id. They press `/`, paste it into the header
 * search, read the task's timeline in order, and retry the dead-lettered task at a more
 * urgent priority; the page follows the new run live. An unknown id lands on the search
 * page's "nothing found" state. Second journey: only the first characters of an id that
 * no worker has taken yet find it waiting in its queue, with its position.
 */

const TASK = 'myapp.tasks.flaky';
// Always fails, one retry: every state a task can go through, then the dead-letter queue.
const KWARGS = { fail_rate: 1, max_retries: 1 };
const ONE_RUN = ['active', 'failed', 'retrying', 'active', 'failed', 'dead'];

test('open a task from the header search by id, read its timeline, retry it at a new priority', async ({ page, request }) => {
  const guard = guardConsole(page);
  const queue = uniqueQueue('search');
  let operator: TestUser | null = null;
  let worker: SpawnedWorker | null = null;
  await declareRedisQueues(queue);
  try {
    const first = await spawnWorker(request, { broker: 'redis', queues: [queue] });
    worker = first;
    const [id] = await enqueue(request, 'redis', queue, { task: TASK, kwargs: KWARGS, priority: 7 });
    await expect.poll(async () => (await getTask(request, id!))?.state, { timeout: 60_000 }).toBe('dead');
    expect((await getTask(request, id!))!.history.map((h) => h.state)).toEqual(ONE_RUN);

    operator = await createUser(request, 'operator');
    await logIn(page, operator);

    await test.step('an unknown id finds nothing, and says so', async () => {
      // Right after login the page may still be hydrating; `/` works once the box announces it.
      await expect(page.getByTestId('task-search')).toHaveAttribute('aria-keyshortcuts', '/');
      await page.keyboard.press('/');
      await expect(page.getByTestId('task-search')).toBeFocused();
      await page.keyboard.type(`${queue}-no-such-task`);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/search\\?q=${queue}-no-such-task$`));
      await expect(page.getByTestId('search-empty')).toContainText(`${queue}-no-such-task`);
    });

    await test.step('`/` then the id opens the task and its timeline in order', async () => {
      await page.locator('main').click();
      await page.keyboard.press('/');
      await expect(page.getByTestId('task-search')).toBeFocused();
      await page.getByTestId('task-search').fill(id!);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/tasks/${id}$`));
      await expect(page.getByTestId('task-id')).toHaveText(id!);
      await expect(page.getByTestId('task-state')).toHaveText('dead');
      await expect(page.getByTestId('timeline-state')).toHaveText(['queued', ...ONE_RUN]);
      // The task's own priority, with the level kombu's default steps keep it in (6–8 share a list).
      await expect(page.getByTestId('task-priority')).toHaveText('7 · low · stored with P6–8');
      await expect(page.getByTestId('task-kwargs')).toContainText('"fail_rate": 1');
      await expect(page.getByTestId('task-error')).toContainText('upstream unavailable');
      await page.screenshot({ path: 'e2e/screenshots/task-search.png', fullPage: true });
    });

    await test.step('retry at priority 3: back on the queue, then run again, live', async () => {
      // Stopped first, so the retried message can be seen waiting at its new priority.
      await first.stop();
      worker = null;
      await page.getByLabel('Priority').selectOption('3');
      await page.getByTestId('retry-submit').click();
      await expect(page.getByTestId('retry-result')).toContainText(`redis/${queue} at priority 3 · medium`);
      const waiting = await getMessages(request, 'redis', queue);
      expect(waiting.map((m) => [m.id, m.priority])).toEqual([[id, 3]]);
      expect(await getMessages(request, 'redis', `${queue}.dead`)).toEqual([]);

      worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
      await expect(page.getByTestId('timeline-state')).toHaveText(['queued', ...ONE_RUN, ...ONE_RUN], { timeout: 60_000 });
      await expect(page.getByTestId('task-priority')).toHaveText('3 · medium');
      await expect(page.getByTestId('task-state')).toHaveText('dead');
      await page.screenshot({ path: 'e2e/screenshots/task-search-retried.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/task-search-dark.png', fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.screenshot({ path: 'e2e/screenshots/task-search-phone.png', fullPage: true });
    });
    guard.assertClean();
  } finally {
    if (worker) await (worker as SpawnedWorker).stop();
    await deleteTasksNamed(request, 'redis', queue, TASK);
    await deleteTasksNamed(request, 'redis', `${queue}.dead`, TASK);
    if (operator) await deleteUser(request, operator);
    await removeRedisQueues(queue);
  }
});

test('the header search finds a message still waiting by the first 8 characters of its id, with its queue and position', async ({ page, request }) => {
  const guard = guardConsole(page);
  const queue = uniqueQueue('find');
  const task = 'myapp.tasks.generate_report';
  let viewer: TestUser | null = null;
  await declareRedisQueues(queue);
  try {
    // No worker consumes this queue: the messages wait, and no task record exists for them.
    const ids = await enqueue(request, 'redis', queue, { task, args: [2026], priority: 6, count: 5 });
    const target = ids[2]!;
    expect(await getTask(request, target)).toBeNull();
    viewer = await createUser(request, 'viewer');
    await logIn(page, viewer);

    await test.step('`/`, the first 8 characters, Enter: found waiting, third in line', async () => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await expect(page.getByTestId('task-search')).toHaveAttribute('aria-keyshortcuts', '/');
      await page.keyboard.press('/');
      await page.keyboard.type(target.slice(0, 8));
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/search\\?q=${target.slice(0, 8)}$`));
      const hit = page.getByTestId('search-waiting').filter({ hasText: target });
      await expect(hit).toHaveCount(1);
      await expect(hit.getByTestId('search-waiting-where')).toHaveText(`waiting in redis/${queue}, position 3`);
      await expect(hit).toContainText(task);
      await expect(hit).toContainText('P6');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: 'e2e/screenshots/search-waiting.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/search-waiting-dark.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: 'e2e/screenshots/search-waiting-phone.png', fullPage: true });
      await page.setViewportSize({ width: 1440, height: 900 });
    });

    await test.step('the hit opens its queue showing just that message', async () => {
      await page.getByTestId('search-waiting').filter({ hasText: target }).getByTestId('search-waiting-id').click();
      await expect(page).toHaveURL(new RegExp(`/queues/redis/${queue}\\?id=${target}$`));
      await expect(page.getByTestId('message-row')).toHaveCount(1);
      await expect(page.getByTestId('message-row')).toContainText(target);
    });
    guard.assertClean();
  } finally {
    await deleteTasksNamed(request, 'redis', queue, task);
    if (viewer) await deleteUser(request, viewer);
    await removeRedisQueues(queue);
  }
});
