import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, logIn, postAsUser, queuePath, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator pauses a queue and tries to delete a task that is not there; both
 * show up in the audit log with the operator's name and role, the outcome of each, and
 * filters that live in the URL.
 */

const queue = uniqueQueue('audit');
let user: TestUser | null = null;

test.afterAll(async ({ request }) => {
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('actions appear in the audit log with actor and result', async ({ page, request }) => {
  await declareRedisQueues(queue);
  await enqueue(request, 'redis', queue, { task: 'triage.tasks.noop' });
  user = await createUser(request, 'operator');
  await logIn(page, user);

  await test.step('an operator pauses the queue, resumes it, and asks to delete a missing task', async () => {
    expect((await postAsUser(page, queuePath('redis', queue, '/pause'), {})).status).toBe(200);
    expect((await postAsUser(page, queuePath('redis', queue, '/resume'), {})).status).toBe(200);
    const missing = await postAsUser(page, queuePath('redis', queue, '/delete'), { ids: ['no-such-task'] });
    expect(missing.status).toBe(404);
  });

  await test.step('the audit log, filtered by queue in the URL, shows all three, newest first', async () => {
    await page.goto(`/audit?queue=${encodeURIComponent(queue)}`);
    const rows = page.getByTestId('audit-row');
    await expect(rows).toHaveCount(3);
    await expect(rows.getByTestId('audit-action')).toHaveText(['delete', 'resume', 'pause']);
    for (const actor of await rows.getByTestId('audit-actor').allTextContents()) expect(actor).toBe(user!.name);
    await expect(rows.first()).toContainText('operator');
    await expect(rows.first().getByTestId('audit-result')).toContainText('failed (NOT_FOUND)');
    await expect(rows.nth(2).getByTestId('audit-result')).toContainText('ok');
    await expect(rows.first().getByRole('link', { name: `redis/${queue}` })).toHaveAttribute('href', `/queues/redis/${queue}`);
    await page.screenshot({ path: 'e2e/screenshots/audit.png', fullPage: true });
  });

  await test.step('filtering by action narrows it and lands in the URL', async () => {
    await page.getByLabel('action').fill('pause');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/action=pause/);
    await expect(page).toHaveURL(new RegExp(`queue=${queue}`));
    const rows = page.getByTestId('audit-row');
    await expect(rows).toHaveCount(1);
    await expect(rows.getByTestId('audit-action')).toHaveText('pause');
  });
});
