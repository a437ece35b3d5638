import { expect, test, type BrowserContext, type Locator } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';
import { journeyPort, startServer, type ServerProcess } from './server-process';

/**
 * Journey: an incident on the overview. A queue holds an old low-priority backlog (the
 * kind every busy queue has) and nothing urgent: its row shows the oldest wait per band and
 * is not flagged. Then urgent work arrives and nobody takes it: once the high band has
 * waited longer than the threshold (TRIAGE_HIGH_BAND_ALERT_SEC, 5 s for this journey's own
 * server), the row is flagged, whatever the low band's age.
 */

const TASK = 'myapp.tasks.send_email';
const THRESHOLD_SEC = 5;

/** Seconds from a cell showing "42s" or "1m 5s"; -1 for anything else ("none", "—"). */
async function ageSeconds(locator: Locator): Promise<number> {
  const match = /^(?:(\d+)m)?\s*(?:(\d+)s)?$/.exec(((await locator.textContent()) ?? '').trim());
  if (!match || (!match[1] && !match[2])) return -1;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

test('a row shows the oldest wait per band and is flagged when the high band waits too long', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const queue = uniqueQueue('bands');
  const id = `redis-${queue}`;
  let server: ServerProcess | null = null;
  let viewer: TestUser | null = null;
  let context: BrowserContext | null = null;
  try {
    server = await startServer({ port: journeyPort(2), env: { TRIAGE_HIGH_BAND_ALERT_SEC: String(THRESHOLD_SEC) } });
    viewer = await createUser(request, 'viewer');
    await declareRedisQueues(queue);
    await enqueue(request, 'redis', queue, { task: TASK, args: ['old-low@example.com'], priority: 9, count: 3 });

    context = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const guard = guardConsole(page);
    await logIn(page, viewer);
    await page.getByLabel('Filter queues').fill(queue);
    const row = page.getByTestId(`queue-row-${id}`);
    const high = page.getByTestId(`queue-wait-${id}-high`);
    const medium = page.getByTestId(`queue-wait-${id}-medium`);
    const low = page.getByTestId(`queue-wait-${id}-low`);
    await expect(row).toBeVisible();

    await test.step('an old low backlog alone does not flag the row', async () => {
      await expect.poll(() => ageSeconds(low), { timeout: 30_000 }).toBeGreaterThan(THRESHOLD_SEC);
      await expect(high).toHaveText(/none/);
      await expect(medium).toHaveText(/none/);
      await expect(row).toHaveAttribute('data-alert', 'false');
      await expect(page.getByTestId(`queue-alert-${id}`)).toHaveCount(0);
    });

    await test.step('urgent work waiting past the threshold flags the row', async () => {
      await enqueue(request, 'redis', queue, { task: TASK, args: ['urgent@example.com'], priority: 0, count: 1 });
      await enqueue(request, 'redis', queue, { task: TASK, args: ['normal@example.com'], priority: 4, count: 1 });
      await expect(high).toHaveText(/\d+s/);
      await expect(medium).toHaveText(/\d+s/);
      await expect(row).toHaveAttribute('data-alert', 'true', { timeout: 20_000 });
      expect(await ageSeconds(high)).toBeGreaterThan(THRESHOLD_SEC);
      // The low band is older still, and shown apart: the flag comes from the high band.
      expect(await ageSeconds(low)).toBeGreaterThan(await ageSeconds(high));
      await expect(page.getByTestId(`queue-alert-${id}`)).toContainText(`over ${THRESHOLD_SEC}s`);
    });

    await test.step('screenshots: desktop, dark, phone', async () => {
      await page.screenshot({ path: 'e2e/screenshots/overview-band-alert.png' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/overview-band-alert-dark.png' });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // Phones see the queue column first: the flag is there too.
      await expect(page.getByTestId(`queue-alert-${id}`)).toBeVisible();
      await page.screenshot({ path: 'e2e/screenshots/overview-band-alert-phone.png' });
    });
    guard.assertClean();
  } finally {
    await context?.close();
    if (server) await server.stop();
    if (viewer) await deleteUser(request, viewer);
    await removeRedisQueues(queue);
  }
});
