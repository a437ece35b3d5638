import { expect, test } from '@playwright/test';
import { startWorker, stopWorker } from '../test/celery/celery';
import { REDIS_URL } from '../test/support';
import { createUser, deleteUser, guardConsole, listWorkers, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';

/**
 * Journey: an operator on the workers page. A real Celery worker (events on) freezes: once it
 * is flagged stale its controls are off, with the reason beside them (it could not answer).
 * Then, on a phone, they open a live worker's controls: the buttons wrap inside the screen
 * and the dialog fits, with nothing scrolling sideways.
 */

const queue = uniqueQueue('wstale');
const celeryName = `e2e-stale-${randomUUID().slice(0, 8)}@triage-test`;
const celeryId = `celery:redis:${celeryName}`;
let user: TestUser | null = null;
let celeryWorker: ChildProcess | null = null;
let triageWorker: SpawnedWorker | null = null;

test.afterAll(async ({ request }) => {
  if (celeryWorker) {
    celeryWorker.kill('SIGCONT');
    await stopWorker(celeryWorker);
  }
  await triageWorker?.stop();
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

async function pageWidth(page: import('@playwright/test').Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

test('a stale Celery worker’s controls are off with the reason; a live worker’s controls fit a phone', async ({ page, request }) => {
  test.setTimeout(180_000);
  const guard = guardConsole(page);
  user = await createUser(request, 'operator');
  await declareRedisQueues(queue);
  celeryWorker = startWorker({ PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue }, { hostname: celeryName, events: true });
  triageWorker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
  await expect.poll(async () => (await listWorkers(request)).find((w) => w.id === celeryId)?.stale, { message: 'the Celery worker is listed, live', timeout: 60_000 }).toBe(false);

  await page.setViewportSize({ width: 1280, height: 900 });
  await logIn(page, user, '/workers');
  await page.goto('/workers');
  const celeryRow = page.getByTestId(`worker-row-${celeryId}`);
  const celeryDetail = page.getByTestId(`worker-detail-${celeryId}`);

  await test.step('live: its controls work', async () => {
    await expect(celeryRow).toHaveAttribute('data-stale', 'false');
    await expect(celeryDetail.getByTestId('worker-control-grow')).toBeEnabled();
    await expect(celeryDetail.getByTestId('worker-controls-disabled-reason')).toHaveCount(0);
  });

  await test.step('frozen (no heartbeats): flagged stale, every control disabled, the reason shown', async () => {
    celeryWorker!.kill('SIGSTOP');
    await expect(celeryRow).toHaveAttribute('data-stale', 'true', { timeout: 30_000 });
    const reason = celeryDetail.getByTestId('worker-controls-disabled-reason');
    await expect(reason).toHaveText(/cannot be answered/);
    const controls = celeryDetail.getByTestId('worker-controls').getByRole('button');
    await expect(controls).toHaveCount(8);
    for (const button of await controls.all()) {
      await expect(button).toBeDisabled();
      await expect(button).toHaveAccessibleDescription(/cannot be answered/);
    }
    // The live worker beside it keeps its controls.
    await expect(page.getByTestId(`worker-detail-${triageWorker!.id}`).getByTestId('worker-control-grow')).toBeEnabled();
    await celeryRow.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'e2e/screenshots/workers-stale-controls.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/workers-stale-controls-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('phone: a live worker’s controls wrap inside the screen and its dialog fits', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const detail = page.getByTestId(`worker-detail-${triageWorker!.id}`);
    await detail.scrollIntoViewIfNeeded();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    for (const button of await detail.getByTestId('worker-controls').getByRole('button').all()) {
      const box = (await button.boundingBox())!;
      expect(box.x, `${await button.textContent()} starts on screen`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${await button.textContent()} ends on screen`).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: 'e2e/screenshots/workers-phone-controls.png' });
    await detail.getByTestId('worker-control-rate').click();
    const dialog = page.getByTestId('worker-command-dialog');
    await expect(dialog).toBeVisible();
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await expect(dialog.getByTestId('worker-command-submit')).toBeInViewport();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'e2e/screenshots/workers-phone-dialog.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/workers-phone-dialog-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
  guard.assertClean();
});
