import { expect, test } from '@playwright/test';
import { createUser, deleteTasksNamed, deleteUser, enqueue, getTask, guardConsole, logIn, queuePath, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an upstream went down and tasks on one queue died. The operator narrows the task
 * explorer to that queue, opens its failures at a glance, keeps the last 15 minutes, finds
 * one group (task and error, with its count), and retries the group at P2: the tasks wait
 * on their queue again at priority 2.
 */

const FLAKY = 'myapp.tasks.flaky';
const ERROR = 'TaskFailure: upstream unavailable (attempt 1)';

test('find the failures of the last 15 minutes and retry them at P2', async ({ page, request }) => {
  const guard = guardConsole(page);
  const queue = uniqueQueue('failures');
  let operator: TestUser | null = null;
  let worker: SpawnedWorker | null = null;
  await declareRedisQueues(queue);
  try {
    worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
    // Fails every time, no retry: straight to the dead-letter queue.
    const dead = await enqueue(request, 'redis', queue, { task: FLAKY, kwargs: { fail_rate: 1, max_retries: 0 }, priority: 7, count: 3 });
    const [fine] = await enqueue(request, 'redis', queue, { task: 'myapp.tasks.send_email', args: ['ops@example.com'], priority: 7 });
    for (const id of dead) await expect.poll(async () => (await getTask(request, id))?.state, { timeout: 60_000 }).toBe('dead');
    await expect.poll(async () => (await getTask(request, fine!))?.state, { timeout: 60_000 }).toBe('succeeded');
    // Stopped, so the retried tasks can be seen waiting.
    await worker.stop();
    worker = null;

    operator = await createUser(request, 'operator');
    await page.setViewportSize({ width: 1440, height: 900 });
    await logIn(page, operator, '/tasks');
    await page.goto('/tasks');

    await test.step('from the explorer narrowed to the queue, to its failures', async () => {
      await page.getByLabel('Queue', { exact: true }).fill(queue);
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(page.getByTestId('task-row')).toHaveCount(4);
      await page.getByTestId('task-failures-link').click();
      await expect(page).toHaveURL(new RegExp(`/failures\\?queue=${queue}$`));
      await expect(page.getByTestId('failures-narrowed')).toContainText(`queue ${queue}`);
    });

    const groups = page.getByTestId('failure-group');
    await test.step('the last 15 minutes: one group, three dead', async () => {
      await page.getByLabel('Failed within').selectOption('15m');
      await expect(page).toHaveURL(new RegExp(`queue=${queue}&since=15m`));
      await expect(groups).toHaveCount(1);
      await expect(groups.getByTestId('failure-group-task')).toHaveText(FLAKY);
      await expect(groups.getByTestId('failure-group-error')).toHaveText(ERROR);
      await expect(groups.getByTestId('failure-group-count')).toHaveText('3');
      await expect(groups).toContainText('3 dead');
    });

    await test.step('retry the group at P2', async () => {
      await expect(page.getByTestId('failures-retry')).toBeDisabled();
      await groups.getByTestId('failure-group-select').check();
      await page.getByLabel('Retry at').selectOption('2');
      await expect(page.getByTestId('failures-retry')).toHaveText('Retry 3 tasks');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: 'e2e/screenshots/tasks-failures.png', fullPage: true });
      await page.getByTestId('failures-retry').click();
      await expect(page.getByTestId('failures-retry-result')).toHaveText('Retried 3 of 3 at priority 2 · high.');
      const response = await request.get(queuePath('redis', queue, '/messages?limit=50'), { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } });
      const { messages } = (await response.json()) as { messages: { id: string; taskPriority: number }[] };
      expect(messages.map((m) => [m.id, m.taskPriority]).sort()).toEqual([...dead].sort().map((id) => [id, 2]));
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/tasks-failures-dark.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: 'e2e/screenshots/tasks-failures-phone.png', fullPage: true });
    });
    guard.assertClean();
  } finally {
    if (worker) await worker.stop();
    await deleteTasksNamed(request, 'redis', queue, FLAKY);
    await deleteTasksNamed(request, 'redis', `${queue}.dead`, FLAKY);
    if (operator) await deleteUser(request, operator);
    await removeRedisQueues(queue);
  }
});
