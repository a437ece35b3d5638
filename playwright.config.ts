import { defineConfig } from '@playwright/test';

// A port of its own, so a `next dev` on 3000 or a running demo never answers for the tests.
const port = Number(process.env.E2E_PORT ?? 3107);
const baseURL = `http://127.0.0.1:${port}`;
// Accepted as an admin bearer token once auth exists (product.md §4); the server and the
// test workers inherit it from this process's environment. Not a secret: local test runs only.
process.env.TRIAGE_ADMIN_TOKEN ??= 'e2e-admin-token';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // Tests share the real brokers and the demo queues: one at a time keeps counts exact.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  // Real brokers and a 2-core CI machine: generous, but waits are on conditions, not sleeps.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright must never download a browser on this network.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Without the background-networking flags Chromium floods the closed network with
      // refused connections (updates, sync, Google lookups) at every start.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // The production build, as users run it: `next dev` hides bundling and caching bugs.
    command: `npm run build && npx next start -H 127.0.0.1 -p ${port}`,
    url: `${baseURL}/api/v1/health`,
    reuseExistingServer: !process.env.CI,
    // next build on two cores takes a few minutes.
    timeout: 300_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      TRIAGE_DEMO: '1',
      PORT: String(port),
    },
  },
});
