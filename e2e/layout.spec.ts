import { expect, test, type Page } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, spawnWorker, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Layout at the sizes people use: a 1440 px desktop, where the overview's queue table and a
 * queue page's message table must show every column whole (WAITING was cut off), and a
 * 390 px phone, where the dead-letters page must not scroll sideways or clip its numbers.
 * Disabled buttons must look disabled.
 */

const queue = uniqueQueue('layout');
const messages = uniqueQueue('layout-msgs');
let user: TestUser | null = null;

test.afterAll(async ({ request }) => {
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue, messages);
});

/** Elements that cut their own text off (an overflow they hide), with what they hold. */
async function clipped(page: Page, scope: string): Promise<string[]> {
  return page.evaluate((selector) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(`${selector} *`)) {
      const style = getComputedStyle(el);
      // Screen-reader-only text is a 1 px box on purpose.
      if (el.clientWidth <= 1) continue;
      const hides = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
      if (hides && el.scrollWidth > el.clientWidth + 1 && (el.textContent ?? '').trim() !== '') out.push(`${el.tagName} “${el.textContent!.trim().slice(0, 60)}”`);
    }
    return out;
  }, scope);
}

async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

test('the overview queue table fits a 1440 px screen, WAITING and every column whole', async ({ page, request }) => {
  const guard = guardConsole(page);
  user ??= await createUser(request, 'operator');
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, user);
  await expect(page.getByTestId('queue-row-redis-celery')).toBeVisible();
  const table = page.getByRole('table').first();
  const scroller = table.locator('xpath=..');
  // The table is not wider than the box it sits in (no sideways scrolling to reach a column).
  const { scrollWidth, clientWidth } = await scroller.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(scrollWidth, 'queue table scrolls sideways at 1440 px').toBeLessThanOrEqual(clientWidth);
  for (const name of [/waiting/i, /depth/i, /in flight/i, /consumers/i, /oldest/i, /rate/i]) {
    const box = await table.getByRole('columnheader', { name }).boundingBox();
    expect(box, `${name} header`).not.toBeNull();
    expect(box!.x + box!.width, `${name} header ends inside the screen`).toBeLessThanOrEqual(1440);
  }
  expect(await pageWidth(page)).toBeLessThanOrEqual(1440);
  await page.screenshot({ path: 'e2e/screenshots/overview-1440.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'e2e/screenshots/overview-1440-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });
  guard.assertClean();
});

test('the queue page fits a 1440 px screen: the message table shows ETA and WAITING whole; disabled actions look disabled', async ({ page, request }) => {
  const guard = guardConsole(page);
  user ??= await createUser(request, 'operator');
  await declareRedisQueues(messages);
  // Long arguments and an ETA: the widest rows a queue shows.
  await enqueue(request, 'redis', messages, {
    task: 'myapp.tasks.generate_report',
    args: ['quarterly-revenue-2026-q3-all-regions-and-subsidiaries'],
    kwargs: { format: 'pdf', recipients: ['cfo@example.com', 'board@example.com'] },
    priority: 8,
    count: 3,
    countdown: 3600,
  });
  await enqueue(request, 'redis', messages, { task: 'myapp.tasks.send_email', args: ['someone.with.a.long.address@example.com', 'Welcome aboard'], priority: 3, count: 3 });
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page, user, `/queues/redis/${messages}`);
  await page.goto(`/queues/redis/${messages}`);
  const table = page.getByTestId('message-list');
  await expect(table.getByTestId('message-row')).toHaveCount(6);
  const { scrollWidth, clientWidth } = await table.locator('xpath=..').evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(scrollWidth, 'message table scrolls sideways at 1440 px').toBeLessThanOrEqual(clientWidth);
  for (const name of ['Waiting', 'ETA', 'Retries']) {
    const box = await table.getByRole('columnheader', { name, exact: true }).boundingBox();
    expect(box!.x + box!.width, `${name} header ends inside the screen`).toBeLessThanOrEqual(1440);
  }
  // The arguments still get room of their own.
  expect((await table.getByTestId('message-args').first().boundingBox())!.width).toBeGreaterThan(150);
  expect(await pageWidth(page)).toBeLessThanOrEqual(1440);

  const reprioritize = page.getByRole('button', { name: 'Reprioritize…' });
  await expect(reprioritize).toBeDisabled();
  const look = () => reprioritize.evaluate((el) => ({ cursor: getComputedStyle(el).cursor, background: getComputedStyle(el).backgroundColor }));
  const disabled = await look();
  expect(disabled.cursor).toBe('not-allowed');
  await reprioritize.hover({ force: true });
  expect(await look()).toEqual(disabled);
  await page.screenshot({ path: 'e2e/screenshots/queue-1440.png', fullPage: true });
  await table.getByRole('checkbox', { name: 'Select every message on this page' }).check();
  await expect(reprioritize).toBeEnabled();
  await page.mouse.move(0, 0);
  expect((await look()).background).not.toBe(disabled.background);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'e2e/screenshots/queue-1440-dark.png', fullPage: true });
  guard.assertClean();
});

test('the dead-letters page fits a 390 px phone, numbers whole, and its disabled buttons look disabled', async ({ page, request }) => {
  const guard = guardConsole(page);
  user ??= await createUser(request, 'operator');
  await declareRedisQueues(queue);
  // No retries: each lands in <queue>.dead on its first failure.
  await enqueue(request, 'redis', queue, { task: 'myapp.tasks.flaky', kwargs: { fail_times: 100, max_retries: 0 }, priority: 8, count: 3 });
  const worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await logIn(page, user, '/dead-letters');
    await page.goto(`/dead-letters`);
    await expect(page.getByTestId('dead-table')).toBeVisible({ timeout: 60_000 });
    await page.goto(`/dead-letters?queue=${encodeURIComponent(`redis/${queue}.dead`)}`);
    await expect(page.locator('[data-testid^="dead-row-"]')).toHaveCount(3, { timeout: 60_000 });
  } finally {
    await worker.stop();
  }
  for (const path of ['/dead-letters', `/dead-letters?queue=${encodeURIComponent(`redis/${queue}.dead`)}`]) {
    await page.goto(path);
    await expect(page.getByTestId('dead-table')).toBeVisible();
    expect(await pageWidth(page), `${path} is wider than the phone`).toBeLessThanOrEqual(390);
    expect(await clipped(page, 'main'), `${path} clips text`).toEqual([]);
  }
  await expect(page.getByTestId('dead-count')).toHaveText(/3 dead-lettered/);

  const retry = page.getByRole('button', { name: 'Retry selected' });
  await expect(retry).toBeDisabled();
  const look = () => retry.evaluate((el) => ({ cursor: getComputedStyle(el).cursor, background: getComputedStyle(el).backgroundColor, color: getComputedStyle(el).color }));
  const disabled = await look();
  expect(disabled.cursor).toBe('not-allowed');
  await retry.hover({ force: true });
  expect(await look(), 'a disabled button does not react to the pointer').toEqual(disabled);
  await page.screenshot({ path: 'e2e/screenshots/dead-letters-390.png', fullPage: true });
  await page.getByRole('checkbox', { name: /select all/ }).check();
  await expect(retry).toBeEnabled();
  await page.mouse.move(0, 0);
  const enabled = await look();
  expect(enabled.cursor).not.toBe('not-allowed');
  // Not merely dimmed: another colour altogether.
  expect(enabled.background).not.toBe(disabled.background);
  expect(enabled.color).not.toBe(disabled.color);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('checkbox', { name: /select all/ }).uncheck();
  await page.screenshot({ path: 'e2e/screenshots/dead-letters-390-dark.png', fullPage: true });
  guard.assertClean();
});

test('the header is one line at 1280 px and never makes a phone scroll sideways', async ({ page, request }) => {
  const guard = guardConsole(page);
  user ??= await createUser(request, 'operator');
  await page.setViewportSize({ width: 1280, height: 800 });
  await logIn(page, user, '/workers');
  await page.goto('/workers');
  const row = page.getByTestId('header-row');
  /** Every shown item of the header row, by its vertical middle. */
  const middles = () =>
    row.evaluate((el) =>
      [...el.children]
        .map((child) => child.getBoundingClientRect())
        .filter((box) => box.width > 0)
        .map((box) => Math.round(box.top + box.height / 2)),
    );

  await test.step('1280 px: logo, every nav link, search, Enqueue, theme and user on one line', async () => {
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' })).toBeVisible();
    const lines = new Set((await middles()).map((y) => Math.round(y / 8)));
    expect(lines.size, `header rows at 1280 px (middles ${(await middles()).join(', ')})`).toBe(1);
    await expect(page.getByRole('button', { name: 'Log out' })).toBeInViewport();
    await expect(page.getByTestId('task-search')).toBeVisible();
    expect(await pageWidth(page)).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: 'e2e/screenshots/header-1280.png', clip: { x: 0, y: 0, width: 1280, height: 120 } });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/header-1280-dark.png', clip: { x: 0, y: 0, width: 1280, height: 120 } });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('390 px phone: rows of their own, nothing past the right edge', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    for (const control of [page.getByRole('button', { name: 'Log out' }), page.getByTestId('task-search'), page.getByRole('button', { name: 'Enqueue' })]) {
      const box = (await control.boundingBox())!;
      expect(box.x + box.width, 'ends inside the screen').toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: 'e2e/screenshots/header-phone.png', clip: { x: 0, y: 0, width: 390, height: 220 } });
  });
  guard.assertClean();
});
