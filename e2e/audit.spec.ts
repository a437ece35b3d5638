import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, postAsUser, queuePath, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator pauses a queue, resumes it, tries to delete a task that is not there
 * and to purge (admins only). The audit log shows what changed, with the operator's name and
 * role and filters that live in the URL; the failed delete and the refused purge are in the
 * security log, which only an admin sees (a tab of the audit page).
 */

const queue = uniqueQueue('audit');
const users: TestUser[] = [];

test.afterAll(async ({ request }) => {
  for (const user of users) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('changes appear in the audit log, failures and refusals in the admins’ security log', async ({ page, browser, request }) => {
  const guard = guardConsole(page);
  // The journey provokes these two on purpose: a delete of a missing task, a purge by an operator.
  guard.allow(new RegExp(`${queue}/delete$`), 404);
  guard.allow(new RegExp(`${queue}/purge$`), 403);
  await declareRedisQueues(queue);
  await enqueue(request, 'redis', queue, { task: 'triage.tasks.noop' });
  const operator = await createUser(request, 'operator');
  users.push(operator);
  await logIn(page, operator);

  await test.step('an operator pauses the queue, resumes it, asks to delete a missing task and to purge', async () => {
    expect((await postAsUser(page, queuePath('redis', queue, '/pause'), {})).status).toBe(200);
    expect((await postAsUser(page, queuePath('redis', queue, '/resume'), {})).status).toBe(200);
    expect((await postAsUser(page, queuePath('redis', queue, '/delete'), { ids: ['no-such-task'] })).status).toBe(404);
    expect((await postAsUser(page, queuePath('redis', queue, '/purge'), { confirm: queue })).status).toBe(403);
  });

  await test.step('the audit log, filtered by queue in the URL, shows the changes, newest first', async () => {
    await page.goto(`/audit?queue=${encodeURIComponent(queue)}`);
    const rows = page.getByTestId('audit-row');
    // The setup's enqueue (with the bootstrap token) is audited too.
    await expect(rows.getByTestId('audit-action')).toHaveText(['resume', 'pause', 'enqueue']);
    await expect(rows.getByTestId('audit-actor')).toHaveText([operator.name, operator.name, 'TRIAGE_ADMIN_TOKEN']);
    await expect(rows.nth(2).getByTestId('audit-result')).toContainText('enqueued 1');
    await expect(rows.first()).toContainText('operator');
    await expect(rows.first().getByTestId('audit-result')).toContainText('ok');
    await expect(rows.first().getByRole('link', { name: `redis/${queue}` })).toHaveAttribute('href', `/queues/redis/${queue}`);
    // The security log is for admins: no tab for an operator.
    await expect(page.getByRole('link', { name: 'Security' })).toHaveCount(0);
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

  await test.step('an admin finds the failed delete and the refused purge in the security tab', async () => {
    const admin = await createUser(request, 'admin');
    users.push(admin);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const adminPage = await context.newPage();
    const adminGuard = guardConsole(adminPage);
    await logIn(adminPage, admin, '/audit');
    await adminPage.getByRole('link', { name: 'Security' }).click();
    await expect(adminPage).toHaveURL(/log=security/);
    await adminPage.getByLabel('queue').fill(queue);
    await adminPage.getByRole('button', { name: 'Filter' }).click();
    await expect(adminPage).toHaveURL(new RegExp(`log=security.*queue=${queue}`));
    const rows = adminPage.getByTestId('audit-row');
    await expect(rows.getByTestId('audit-action')).toHaveText([`POST ${queuePath('redis', queue, '/purge')}`, 'delete']);
    await expect(rows.nth(0).getByTestId('audit-result')).toContainText('refused (FORBIDDEN)');
    await expect(rows.nth(1).getByTestId('audit-result')).toContainText('failed (NOT_FOUND)');
    for (const actor of await rows.getByTestId('audit-actor').allTextContents()) expect(actor).toBe(operator.name);
    await expect(adminPage.getByRole('link', { name: 'Security' })).toHaveAttribute('aria-current', 'page');
    await adminPage.screenshot({ path: 'e2e/screenshots/audit-security.png', fullPage: true });
    await adminPage.emulateMedia({ colorScheme: 'dark' });
    await adminPage.screenshot({ path: 'e2e/screenshots/audit-security-dark.png', fullPage: true });
    await adminPage.emulateMedia({ colorScheme: 'light' });
    await adminPage.setViewportSize({ width: 390, height: 844 });
    await expect(rows).toHaveCount(2);
    await adminPage.screenshot({ path: 'e2e/screenshots/audit-security-phone.png', fullPage: true });
    await context.close();
    adminGuard.assertClean();
  });
  guard.assertClean();
});
