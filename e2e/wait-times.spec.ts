import { expect, test, type APIRequestContext } from '@playwright/test';
import { createUser, deleteUser, enqueue, getQueue, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, queueUrl, removeRedisQueues } from './queue-helpers';
import { WaitTimeStore } from '../lib/state/wait-times';
import { rawRedis } from '../test/support';

/**
 * Journey: is urgent work really served first? A backlog of low-priority tasks is queued
 * ahead of a few urgent ones, and one worker drains them. The overview row shows each band's
 * wait before start (p50 / p95, last 15 min) with the high band's well under the low band's;
 * the queue page lists the same per level beside the backlog chart. Celery tasks whose priority
 * nobody could tell (known from events only) show apart, under "unknown priority".
 */

/** Waits of Celery tasks of unknown priority, as event ingestion records them (no Celery worker needed to show the row). */
async function recordUnknownWaits(queue: string, waitsSec: number[]): Promise<void> {
  const redis = rawRedis();
  try {
    await new WaitTimeStore(redis, process.env.TRIAGE_STATE_PREFIX ?? 'triage:').record(
      waitsSec.map((waitSec) => ({ broker: 'redis', queue, priority: null, waitSec, startedAtMs: Date.now() })),
    );
  } finally {
    redis.disconnect();
  }
}

// 300–800 ms each: long enough that the low band's wait is buckets apart from the high band's.
const TASK = 'myapp.tasks.send_email';
const BULK = 8;
const URGENT = 2;

/** Seconds from "0.42 s", "12 s", "3.5 min". */
function seconds(text: string): number {
  const match = /([\d.]+) (s|min|h)/.exec(text);
  if (!match) return Number.NaN;
  return Number(match[1]) * { s: 1, min: 60, h: 3600 }[match[2] as 's' | 'min' | 'h'];
}

async function pauseQueue(request: APIRequestContext, queue: string, action: 'pause' | 'resume'): Promise<void> {
  const response = await request.post(`/api/v1/queues/redis/${encodeURIComponent(queue)}/${action}`, { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } });
  expect(response.ok(), `${action}: ${response.status()} ${await response.text()}`).toBe(true);
}

test('wait before start per band on the overview and per level on the queue page', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const queue = uniqueQueue('waits');
  const id = `redis-${queue}`;
  let viewer: TestUser | null = null;
  let worker: SpawnedWorker | null = null;
  try {
    viewer = await createUser(request, 'viewer');
    await declareRedisQueues(queue);
    // Paused while the backlog builds, so the worker's start-up time is no part of any wait.
    await pauseQueue(request, queue, 'pause');
    // Real task durations, one at a time: the low band waits for the high one.
    worker = await spawnWorker(request, { broker: 'redis', queues: [queue], concurrency: 1, env: { TRIAGE_TASK_DURATION_SCALE: '1' } });
    // The bulk first: a FIFO queue would serve it before the urgent tasks.
    await enqueue(request, 'redis', queue, { task: TASK, args: ['bulk@example.com'], priority: 9, count: BULK });
    await enqueue(request, 'redis', queue, { task: TASK, args: ['urgent@example.com'], priority: 0, count: URGENT });
    await pauseQueue(request, queue, 'resume');
    await expect.poll(async () => (await getQueue(request, 'redis', queue)).waitTimes?.levels['9']?.count ?? 0, { timeout: 60_000 }).toBe(BULK);
    const waits = (await getQueue(request, 'redis', queue)).waitTimes!;
    expect(waits.levels['0']!.count).toBe(URGENT);
    expect(waits.levels['0']!.p95).toBeLessThan(waits.levels['9']!.p50);
    await recordUnknownWaits(queue, [40, 50, 55]);
    expect((await getQueue(request, 'redis', queue)).waitTimes!.unknown).toMatchObject({ count: 3 });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const guard = guardConsole(page);
    await logIn(page, viewer);
    await page.getByLabel('Filter queues').fill(queue);
    const high = page.getByTestId(`queue-waittime-${id}-high`);
    const low = page.getByTestId(`queue-waittime-${id}-low`);

    await test.step('the overview row shows p50 / p95 per band', async () => {
      await expect(high).toHaveText(/^[\d.]+ (s|min) \/ [\d.]+ (s|min)$/);
      await expect(low).toHaveText(/^[\d.]+ (s|min) \/ [\d.]+ (s|min)$/);
      await expect(page.getByTestId(`queue-waittime-${id}-medium`)).toHaveText('—');
      const [highP95, lowP50] = [seconds((await high.textContent())!.split('/')[1]!), seconds((await low.textContent())!.split('/')[0]!)];
      expect(highP95).toBeLessThan(lowP50);
      await expect(high).toHaveAttribute('title', new RegExp(`of ${URGENT} started.*interpolated`));
      await expect(page.getByTestId(`queue-waittime-${id}-unknown`)).toHaveText(/^unknown priority: \? [\d.]+ (s|min) \/ [\d.]+ (s|min)$/);
      await page.screenshot({ path: 'e2e/screenshots/wait-times-overview.png' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/wait-times-overview-dark.png' });
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await test.step('the queue page lists each level beside the backlog', async () => {
      await page.goto(queueUrl('redis', queue));
      const table = page.getByTestId('wait-times');
      await expect(table).toBeVisible();
      await expect(page.getByTestId('wait-times-level-0')).toContainText(`P0–2`);
      await expect(page.getByTestId('wait-times-level-0').locator('td').last()).toHaveText(String(URGENT));
      await expect(page.getByTestId('wait-times-level-9').locator('td').last()).toHaveText(String(BULK));
      await expect(page.getByTestId('wait-times-unknown')).toContainText('unknown priority');
      await expect(page.getByTestId('wait-times-unknown').locator('td').last()).toHaveText('3');
      await table.scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'e2e/screenshots/wait-times-queue.png' });
    });

    await test.step('the queue page charts p50 / p95 per level, minute by minute, on the backlog chart’s time axis', async () => {
      // The API behind it: every minute of the window, the starts counted in the minute they happened.
      const series = (await (await request.get(`/api/v1/queues/redis/${queue}/wait-times`, { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } })).json()) as {
        stepSec: number;
        points: { t: number; levels: Record<string, { count: number }> }[];
      };
      expect(series.stepSec).toBe(60);
      expect(series.points).toHaveLength(15);
      const started = (level: string) => series.points.reduce((n, p) => n + (p.levels[level]?.count ?? 0), 0);
      expect([started('0'), started('9')]).toEqual([URGENT, BULK]);

      const chart = page.getByTestId('wait-chart');
      await expect(chart).toBeVisible();
      await expect(page.getByTestId('backlog-chart')).toBeVisible({ timeout: 30_000 });
      const urgentP95 = chart.locator('.wait-line-0-p95 path.recharts-line-curve');
      const bulkP50 = chart.locator('.wait-line-9-p50 path.recharts-line-curve');
      await expect(urgentP95).toHaveCount(1);
      await expect(bulkP50).toHaveCount(1);
      // SVG y grows downwards: the urgent level's slowest waits sit below the bulk's typical ones.
      const [urgentBox, bulkBox] = [await urgentP95.boundingBox(), await bulkP50.boundingBox()];
      expect(urgentBox!.y).toBeGreaterThan(bulkBox!.y);
      await expect(page.getByTestId('wait-chart-legend')).toContainText('P0–2');
      await expect(page.getByTestId('wait-chart-legend')).toContainText('P9');
      // One time axis: both plot areas start and end at the same x.
      const grid = async (testId: string) => (await page.getByTestId(testId).locator('.recharts-cartesian-grid').boundingBox())!;
      const [backlogGrid, waitGrid] = [await grid('backlog-chart'), await grid('wait-chart')];
      expect(Math.abs(backlogGrid.x - waitGrid.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(backlogGrid.width - waitGrid.width)).toBeLessThanOrEqual(1);
      await chart.scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'e2e/screenshots/wait-times-chart.png' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/wait-times-chart-dark.png' });
      await page.emulateMedia({ colorScheme: 'light' });

      await page.getByTestId('wait-chart-grouping').getByRole('button', { name: 'bands' }).click();
      await expect(page.getByTestId('wait-chart-legend')).toHaveText(/high.*low/);
      await expect(chart.locator('.wait-line-medium-p95')).toHaveCount(0);
    });

    await test.step('on a phone, nothing scrolls sideways', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByTestId('wait-times').scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'e2e/screenshots/wait-times-queue-phone.png' });
      await page.getByTestId('wait-chart').scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'e2e/screenshots/wait-times-chart-phone.png' });
    });
    guard.assertClean();
    await context.close();
  } finally {
    await worker?.stop();
    if (viewer) await deleteUser(request, viewer);
    await removeRedisQueues(queue);
  }
});
