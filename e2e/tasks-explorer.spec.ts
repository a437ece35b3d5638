import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, getTask, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an on-call engineer wants the urgent reports that ran on one queue. On /tasks
 * they filter by a part of the task name, the high band and the queue, narrow to succeeded
 * with the state strip, share the URL with a colleague (who sees the same rows), watch a
 * new urgent report appear on the live first page, and open a task from its row.
 */

const REPORT = 'myapp.tasks.generate_report';
const EMAIL = 'myapp.tasks.send_email';

test('filter the task explorer by task substring and band, share the URL, open a task', async ({ page, request, browser }) => {
  const guard = guardConsole(page);
  const queue = uniqueQueue('explorer');
  let viewer: TestUser | null = null;
  let worker: SpawnedWorker | null = null;
  await declareRedisQueues(queue);
  try {
    worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
    const urgentReports = await enqueue(request, 'redis', queue, { task: REPORT, args: ['weekly-sales'], priority: 1, count: 3 });
    const lowReports = await enqueue(request, 'redis', queue, { task: REPORT, args: ['archive'], priority: 7, count: 2 });
    const urgentEmails = await enqueue(request, 'redis', queue, { task: EMAIL, args: ['ops@example.com'], priority: 0, count: 2 });
    for (const id of [...urgentReports, ...lowReports, ...urgentEmails]) {
      await expect.poll(async () => (await getTask(request, id))?.state, { timeout: 60_000 }).toBe('succeeded');
    }

    viewer = await createUser(request, 'viewer');
    await page.setViewportSize({ width: 1440, height: 900 });
    await logIn(page, viewer);
    const rows = page.getByTestId('task-row');

    await test.step('the header links to the explorer, newest first', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
      await expect(page).toHaveURL(/\/tasks$/);
      await expect(page.getByRole('heading', { name: 'Tasks' })).toBeVisible();
      // Nothing else ran since: this queue's seven executions are the newest.
      await expect(rows.filter({ hasText: queue })).toHaveCount(7);
      await expect(rows.filter({ hasText: queue }).getByTestId('task-row-name').filter({ hasText: EMAIL })).toHaveCount(2);
      await expect(page.getByTestId('state-count-succeeded')).not.toHaveText('0');
      // Bulk revoke is for operators: a viewer gets no checkboxes.
      await expect(page.getByTestId('task-row-select')).toHaveCount(0);
      await expect(page.getByTestId('task-bulk')).toHaveCount(0);
    });

    await test.step('task substring + high band + queue: only the urgent reports', async () => {
      await page.getByLabel('Task name').fill('REPORT');
      await page.getByLabel('Priority', { exact: true }).selectOption('high');
      await page.getByLabel('Queue', { exact: true }).fill(queue);
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/tasks\\?task=REPORT&queue=${queue}&priority=high$`));
      await expect(rows).toHaveCount(3);
      expect((await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-task-id')))).sort()).toEqual([...urgentReports].sort());
      await expect(rows.getByTestId('task-row-name')).toHaveText([REPORT, REPORT, REPORT]);
      await expect(rows.getByTestId('task-row-priority')).toHaveText(['P1', 'P1', 'P1']);
      await expect(rows.getByTestId('task-row-state')).toHaveText(['succeeded', 'succeeded', 'succeeded']);
      await expect(rows.getByTestId('task-row-queue')).toHaveText([queue, queue, queue]);
    });

    await test.step('the state strip narrows to succeeded, in the URL too', async () => {
      await page.getByTestId('state-chip-succeeded').click();
      await expect(page.getByTestId('state-chip-succeeded')).toHaveAttribute('aria-pressed', 'true');
      await expect(page).toHaveURL(/state=succeeded/);
      await expect(rows).toHaveCount(3);
      await page.getByTestId('state-chip-failed').click();
      await expect(page).toHaveURL(/state=succeeded%2Cfailed|state=succeeded,failed/);
      await expect(rows).toHaveCount(3);
    });

    const shared = page.url();
    const shownIds = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-task-id')));

    await test.step('the shared URL opens the same rows in another tab', async () => {
      const other = await page.context().newPage();
      const otherGuard = guardConsole(other);
      await other.goto(shared);
      const otherRows = other.getByTestId('task-row');
      await expect(otherRows).toHaveCount(3);
      expect(await otherRows.evaluateAll((els) => els.map((el) => el.getAttribute('data-task-id')))).toEqual(shownIds);
      await expect(other.getByLabel('Task name')).toHaveValue('REPORT');
      await expect(other.getByLabel('Priority', { exact: true })).toHaveValue('high');
      await expect(other.getByTestId('state-chip-succeeded')).toHaveAttribute('aria-pressed', 'true');
      otherGuard.assertClean();
      await other.close();
    });

    await test.step('a new urgent report appears on the live first page, on top', async () => {
      const [fresh] = await enqueue(request, 'redis', queue, { task: REPORT, args: ['daily'], priority: 2 });
      await expect(rows).toHaveCount(4, { timeout: 30_000 });
      await expect(rows.first()).toHaveAttribute('data-task-id', fresh!);
      await expect(rows.first().getByTestId('task-row-priority')).toHaveText('P2');
      // A narrower link from a colleague, written by hand: the API's own spelling works in the page's URL.
      const phoneView = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
      const phone = await phoneView.newPage();
      const phoneGuard = guardConsole(phone);
      await phone.goto(`/tasks?task=report&priority=2&queue=${queue}`);
      await expect(phone.getByTestId('task-row')).toHaveCount(1);
      await expect(phone.getByTestId('task-row')).toHaveAttribute('data-task-id', fresh!);
      await phone.screenshot({ path: 'e2e/screenshots/tasks-explorer-phone.png', fullPage: true });
      phoneGuard.assertClean();
      await phoneView.close();
    });

    await test.step('screenshots: desktop and dark', async () => {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: 'e2e/screenshots/tasks-explorer.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/tasks-explorer-dark.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await test.step('a row opens its task page', async () => {
      const target = shownIds[0]!;
      await page.locator(`[data-testid="task-row"][data-task-id="${target}"]`).getByTestId('task-row-id').click();
      await expect(page).toHaveURL(new RegExp(`/tasks/${target}$`));
      await expect(page.getByTestId('task-id')).toHaveText(target);
      await expect(page.getByTestId('task-state')).toHaveText('succeeded');
    });
    guard.assertClean();
  } finally {
    if (worker) await worker.stop();
    if (viewer) await deleteUser(request, viewer);
    await removeRedisQueues(queue);
  }
});
