import { expect, test, type BrowserContext, type Locator } from '@playwright/test';
import { createUser, deleteUser, guardConsole, logIn, type TestUser } from './helpers';
import { journeyPort, startServer, type ServerProcess } from './server-process';

/**
 * Journey: an operator watches the overview while the Triage server freezes (SIGSTOP: its
 * sockets stay open and connections are accepted, but nothing answers, so no request ever
 * fails), then thaws, then stops. Old numbers must never pass for current ones: within 5 s
 * the indicator leaves "live", the brokers are no longer claimed to be up, and the numbers
 * say how old they are. The journey runs a server of its own, so the suite's stays up.
 */

async function ageSeconds(locator: Locator): Promise<number> {
  const match = /as of (\d+)s ago/.exec((await locator.textContent()) ?? '');
  return match ? Number(match[1]) : -1;
}

test('a frozen or stopped server turns the overview to reconnecting within 5 s, with the numbers’ age', async ({ browser, request }) => {
  // A server start, a 15 s wait for "disconnected" and a recovery.
  test.setTimeout(240_000);
  let server: ServerProcess | null = null;
  let viewer: TestUser | null = null;
  let context: BrowserContext | null = null;
  try {
    server = await startServer({ port: journeyPort(1) });
    viewer = await createUser(request, 'viewer');
    context = await browser.newContext({ baseURL: server.baseURL });
    const page = await context.newPage();
    const guard = guardConsole(page);
    await logIn(page, viewer);

    const indicator = page.getByTestId('live-indicator');
    const age = page.getByTestId('numbers-age');
    const redisBadge = page.getByTestId('broker-badge-redis');
    await expect(indicator).toHaveAttribute('data-state', 'live');
    await expect(redisBadge).toHaveText('up');
    await expect(age).toHaveCount(0);
    guard.assertClean();
    // From here on the server freezes and then stops: requests to it fail, by design.
    // (a stopped server also cuts the open event stream short: incomplete chunked encoding).
    guard.allow(/net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|TIMED_OUT|INCOMPLETE_CHUNKED_ENCODING)/);

    await test.step('frozen: reconnecting within 5 s, the numbers show their age', async () => {
      server!.freeze();
      await expect(indicator).toHaveAttribute('data-state', /^(reconnecting|disconnected)$/, { timeout: 5_000 });
      await expect(age).toHaveText(/as of \d+s ago/);
      await expect(redisBadge).not.toHaveText('up');
      // The age keeps counting while nothing arrives.
      await expect.poll(() => ageSeconds(age), { timeout: 20_000 }).toBeGreaterThanOrEqual(12);
      await expect(indicator).toHaveAttribute('data-state', 'disconnected', { timeout: 30_000 });
      await expect(page.getByTestId('stale-banner')).toContainText('does not answer');
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.screenshot({ path: 'e2e/screenshots/overview-disconnected.png' });
    });

    await test.step('thawed: live again, the age goes away', async () => {
      server!.thaw();
      await expect(indicator).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
      await expect(age).toHaveCount(0);
      await expect(redisBadge).toHaveText('up');
    });

    await test.step('stopped: reconnecting within 5 s', async () => {
      await server!.stop();
      server = null;
      await expect(indicator).toHaveAttribute('data-state', /^(reconnecting|disconnected)$/, { timeout: 5_000 });
      await expect(age).toHaveText(/as of \d+s ago/);
      await expect(redisBadge).not.toHaveText('up');
    });
    guard.assertClean();
  } finally {
    await context?.close();
    if (server) await server.stop();
    if (viewer) await deleteUser(request, viewer);
  }
});
