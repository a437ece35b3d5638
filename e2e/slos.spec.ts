import { expect, test, type APIRequestContext } from '@playwright/test';
import type { SlosPayload } from '../lib/shared/slos';
import { createUser, deleteUser, enqueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: priority SLOs. An admin adds an SLO for a queue's high band on the SLOs page
 * (the config file's demo SLOs are listed read-only); urgent work then waits there with no
 * worker: once it has waited past the SLO, every page shows the banner naming the queue,
 * the overview row and the queue page say "breached". A viewer sees it all and cannot edit.
 */

const TASK = 'myapp.tasks.send_email';
const MAX_WAIT_SEC = 3;

function adminHeaders(): Record<string, string> {
  return { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` };
}

/** Removes this journey's SLO whatever happened, leaving other edited SLOs alone. */
async function removeSlo(request: APIRequestContext, id: string): Promise<void> {
  const current = (await (await request.get('/api/v1/slos', { headers: adminHeaders() })).json()) as SlosPayload;
  const keep = current.slos.filter((s) => s.source === 'edited' && s.id !== id).map(({ id, broker, queue, band, priorities, maxWaitSec }) => ({ id, broker, queue, maxWaitSec, ...(band ? { band } : { priorities }) }));
  await request.put('/api/v1/slos', { data: { slos: keep }, headers: adminHeaders() });
}

test('an admin adds an SLO; a P0 backlog older than it shows the banner and the row state; a viewer cannot edit', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const queue = uniqueQueue('slo');
  const sloId = `e2e-${queue.slice(-8)}`;
  const id = `redis-${queue}`;
  let admin: TestUser | null = null;
  let viewer: TestUser | null = null;
  try {
    admin = await createUser(request, 'admin');
    viewer = await createUser(request, 'viewer');
    await declareRedisQueues(queue);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const guard = guardConsole(page);
    // The refused config-file id below.
    guard.allow(/\/api\/v1\/slos/, 400);

    await test.step('the admin adds an SLO on the SLOs page; config-file SLOs are read-only', async () => {
      await logIn(page, admin!, '/slos');
      await expect(page.getByRole('heading', { name: 'Wait SLOs' })).toBeVisible();
      await expect(page.getByTestId('slo-row-redis-celery-high')).toContainText('config file · read-only');
      await page.getByLabel('Id', { exact: true }).fill(sloId);
      await page.getByLabel('Queue', { exact: true }).fill(queue);
      await page.getByLabel('Start within (seconds)').fill('0');
      await page.getByRole('button', { name: 'Add SLO' }).click();
      await expect(page.getByTestId('field-error-maxWaitSec')).toHaveText('maxWaitSec is at least 1 second');
      await expect(page.getByLabel('Start within (seconds)')).toHaveAttribute('aria-invalid', 'true');
      await page.getByLabel('Start within (seconds)').fill(String(MAX_WAIT_SEC));
      // The server refuses to shadow a config-file SLO; the form says so next to the id.
      await page.getByLabel('Id', { exact: true }).fill('redis-celery-high');
      await page.getByRole('button', { name: 'Add SLO' }).click();
      await expect(page.getByTestId('field-error-id')).toContainText('comes from the config file and is read-only');
      await page.getByLabel('Id', { exact: true }).fill(sloId);
      await page.getByRole('button', { name: 'Add SLO' }).click();
      const row = page.getByTestId(`slo-row-${sloId}`);
      await expect(row).toContainText(queue);
      await expect(row.getByRole('button', { name: `Remove SLO ${sloId}` })).toBeVisible();
      await expect(page.getByTestId(`slo-state-${sloId}-${queue}`)).toHaveAttribute('data-state', 'ok', { timeout: 20_000 });
      await page.screenshot({ path: 'e2e/screenshots/slos-admin.png', fullPage: true });
    });

    await test.step('urgent work waiting past the SLO: banner, row state, queue page', async () => {
      await enqueue(request, 'redis', queue, { task: TASK, args: ['otp@example.com'], priority: 0, count: 1 });
      await enqueue(request, 'redis', queue, { task: TASK, args: ['digest@example.com'], priority: 9, count: 2 });
      await page.goto('/');
      const banner = page.getByTestId('slo-banner');
      await expect(banner).toContainText(`redis/${queue}`, { timeout: 30_000 });
      await expect(banner).toContainText(/P0–2 waiting \d+s \(max 3s\), breached for \d+s/);
      await page.getByLabel('Filter queues').fill(queue);
      await expect(page.getByTestId(`slo-badge-${id}`)).toHaveAttribute('data-state', 'breached');
      await expect(page.getByTestId(`slo-badge-${id}`)).toHaveText('SLO P0–2 breached');
      await page.screenshot({ path: 'e2e/screenshots/slo-breach-overview.png' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/slo-breach-overview-dark.png' });
      await page.emulateMedia({ colorScheme: 'light' });

      await banner.getByRole('link', { name: `redis/${queue}` }).first().click();
      await expect(page).toHaveURL(new RegExp(`/queues/redis/${queue}`));
      await expect(page.getByTestId(`queue-slo-${sloId}`)).toHaveAttribute('data-state', 'breached');
      await expect(page.getByTestId(`queue-slo-${sloId}`)).toContainText('P0–2 within 3s');
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: 'e2e/screenshots/slo-breach-queue-phone.png' });
    });
    guard.assertClean();
    await context.close();

    await test.step('a viewer sees the SLOs and their states but cannot edit them', async () => {
      const viewerContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const viewerPage = await viewerContext.newPage();
      const viewerGuard = guardConsole(viewerPage);
      await logIn(viewerPage, viewer!, '/slos');
      await expect(viewerPage.getByTestId(`slo-state-${sloId}-${queue}`)).toHaveAttribute('data-state', 'breached');
      await expect(viewerPage.getByTestId('slo-banner')).toContainText(`redis/${queue}`);
      await expect(viewerPage.getByText('Only admins can add or remove SLOs.')).toBeVisible();
      await expect(viewerPage.getByRole('button', { name: /Remove SLO/ })).toHaveCount(0);
      await expect(viewerPage.getByRole('button', { name: 'Add SLO' })).toHaveCount(0);
      await viewerPage.screenshot({ path: 'e2e/screenshots/slos-viewer.png', fullPage: true });
      await viewerPage.setViewportSize({ width: 390, height: 844 });
      expect(await viewerPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await viewerPage.screenshot({ path: 'e2e/screenshots/slos-viewer-phone.png' });
      viewerGuard.assertClean();
      await viewerContext.close();
    });

    await test.step('the admin removes the SLO: its state and the banner go', async () => {
      const adminContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const adminPage = await adminContext.newPage();
      await logIn(adminPage, admin!, '/slos');
      await adminPage.getByRole('button', { name: `Remove SLO ${sloId}` }).click();
      await expect(adminPage.getByTestId(`slo-row-${sloId}`)).toHaveCount(0);
      await expect(adminPage.getByTestId('slo-banner').filter({ hasText: queue })).toHaveCount(0, { timeout: 20_000 });
      await adminContext.close();
    });
  } finally {
    await removeSlo(request, sloId);
    await removeRedisQueues(queue);
    if (admin) await deleteUser(request, admin);
    if (viewer) await deleteUser(request, viewer);
  }
});
