import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { startReceiver, type TestReceiver } from '../test/webhook-receiver';
import { rawRedis } from '../test/support';
import { createUser, deleteUser, guardConsole, logIn, type TestUser } from './helpers';

/**
 * Journey: an admin sets a Slack webhook with a signing secret on the alerts page, sends a
 * test, then a worker goes silent: the alert appears as active with its notification
 * delivered to the receiver (started by this test), and once the worker is gone again it
 * moves to "recently resolved" with its resolve delivered. Screenshots: desktop, phone, dark.
 */

const SECRET = 'e2e-alerts-secret-0123456789';
// The e2e server keeps its state under the default prefix (TRIAGE_DEMO, no TRIAGE_STATE_PREFIX).
const WORKERS_KEY = 'triage:workers';
const CONFIG_KEY = 'triage:alerts:config';
const workerId = `triage@e2e-alerts-${Date.now()}:4242`;
const users: TestUser[] = [];
let receiver: TestReceiver;

test.beforeAll(async () => {
  receiver = await startReceiver();
});

test.afterAll(async ({ request }) => {
  for (const user of users) await deleteUser(request, user);
  const redis = rawRedis();
  await redis.hdel(WORKERS_KEY, workerId);
  // The webhook points at this test's receiver, which is about to stop.
  await redis.del(CONFIG_KEY);
  redis.disconnect();
  await receiver.close();
});

const mine = () => receiver.received.filter((r) => r.body.includes(workerId));

test('an admin sets a webhook, tests it, and sees a stale worker alert delivered and resolved', async ({ page }) => {
  const guard = guardConsole(page);
  const admin = await createUser(page.request, 'admin');
  users.push(admin);
  await logIn(page, admin);

  await test.step('the nav leads to the alerts page; an admin adds a Slack webhook with a secret', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await expect(page).toHaveURL(/\/alerts$/);
    await expect(page.getByRole('heading', { name: 'Active' })).toBeVisible();
    const settings = page.getByTestId('webhook-settings');
    // Other journeys may have left none or some: start from a clean list.
    for (let n = await settings.getByRole('button', { name: /^Remove webhook/ }).count(); n > 0; n--) {
      await settings.getByRole('button', { name: /^Remove webhook/ }).first().click();
    }
    await settings.getByRole('button', { name: 'Add webhook' }).click();
    await settings.getByLabel('URL').fill('not a url');
    await settings.getByLabel('Signing secret').fill('short');
    await settings.getByTestId('webhooks-save').click();
    await expect(page.getByTestId('field-error-url-0')).toHaveText('a webhook url must be an absolute http(s) URL');
    await expect(page.getByTestId('field-error-secret-0')).toHaveText('a secret has at least 16 characters');
    await settings.getByLabel('URL').fill(receiver.url);
    await settings.getByLabel('Format').selectOption('slack');
    await settings.getByLabel('Signing secret').fill(SECRET);
    await settings.getByTestId('webhooks-save').click();
    await expect(page.getByTestId('webhooks-save-status')).toHaveText('Saved.');
    await expect(settings.getByText('A secret is set: leave empty to keep it.')).toBeVisible();
    await expect(settings.getByLabel('Signing secret')).toHaveValue('');
  });

  await test.step('Send test delivers a signed sample and says so', async () => {
    const before = receiver.received.length;
    await page.getByTestId('alerts-send-test').click();
    await expect(page.getByTestId('alerts-test-result')).toContainText('delivered');
    await expect(page.getByTestId('alerts-test-result')).toContainText('HTTP 200');
    expect(receiver.received.length).toBe(before + 1);
    const sample = receiver.received[before]!;
    expect((JSON.parse(sample.body) as { text: string }).text).toContain('Test notification');
    const timestamp = String(sample.headers['x-triage-timestamp']);
    expect(sample.headers['x-triage-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${sample.body}`).digest('hex')}`);
  });

  await test.step('a worker silent for two minutes raises one alert, delivered once', async () => {
    const redis = rawRedis();
    const old = new Date(Date.now() - 120_000).toISOString();
    await redis.hset(WORKERS_KEY, workerId, JSON.stringify({
      id: workerId, hostname: 'e2e-alerts', pid: 4242, broker: 'redis', queues: ['celery'], concurrency: 1, prefetch: 1, active: 0, processed: 0, failed: 0,
      paused: false, pausedQueues: [], state: 'online', startedAt: old, lastHeartbeatAt: old, heartbeatIntervalMs: 2000,
    }));
    redis.disconnect();
    const card = page.getByTestId('alerts-active').locator(`[data-key="worker_stale:${workerId}"]`);
    // Evaluated every 10 s by the lease holder, delivered within a second.
    await expect(card).toBeVisible({ timeout: 30_000 });
    await expect(card.getByTestId('alert-delivery-status')).toHaveText('delivered (1 attempt)', { timeout: 15_000 });
    await expect(card).toContainText(`Worker ${workerId} has sent no heartbeat for over 60 s`);
    expect(mine()).toHaveLength(1);
    const firing = JSON.parse(mine()[0]!.body) as { text: string; blocks: unknown[] };
    expect(firing.text).toContain('[WARNING]');
    expect(firing.blocks.length).toBeGreaterThan(1);
    await page.screenshot({ path: 'e2e/screenshots/alerts.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'e2e/screenshots/alerts-phone.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/alerts-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('the worker goes away: the alert resolves, one resolve is delivered', async () => {
    const redis = rawRedis();
    await redis.hdel(WORKERS_KEY, workerId);
    redis.disconnect();
    const card = page.getByTestId('alerts-recent').locator(`[data-key="worker_stale:${workerId}"]`);
    await expect(card).toBeVisible({ timeout: 30_000 });
    await expect(card.getByTestId('alert-delivery-status')).toHaveText(['delivered (1 attempt)', 'delivered (1 attempt)'], { timeout: 15_000 });
    await expect(page.getByTestId('alerts-active').locator(`[data-key="worker_stale:${workerId}"]`)).toHaveCount(0);
    expect(mine()).toHaveLength(2);
    expect((JSON.parse(mine()[1]!.body) as { text: string }).text).toContain('[RESOLVED]');
  });

  guard.assertClean();
});
