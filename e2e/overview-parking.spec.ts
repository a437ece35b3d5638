import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: after a drain and a restore, an empty `<queue>.drained` (and an empty `.dead`)
 * stays declared on the broker. The overview hides such empty parking queues unless asked;
 * one that holds messages is always listed.
 */

const queue = uniqueQueue('park');
const drained = `${queue}.drained`;
const dead = `${queue}.dead`;
const full = `${uniqueQueue('park-full')}.drained`;
let user: TestUser | null = null;

test.afterAll(async ({ request }) => {
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue, full);
});

test('empty parking queues are hidden until the toggle shows them', async ({ page, request }) => {
  const guard = guardConsole(page);
  await declareRedisQueues(queue, drained, dead, full);
  await enqueue(request, 'redis', full, { task: 'myapp.tasks.send_email', args: ['parked@example.com'], priority: 5 });
  user = await createUser(request, 'viewer');
  await logIn(page, user);
  const row = (name: string) => page.getByTestId(`queue-row-redis-${name}`);

  await page.getByLabel('Filter queues').fill(queue);
  await expect(row(queue)).toBeVisible();
  await expect(row(drained)).toHaveCount(0);
  await expect(row(dead)).toHaveCount(0);
  await page.getByLabel('Filter queues').fill(full);
  // Not empty: listed whatever the toggle says.
  await expect(row(full)).toBeVisible();

  await page.getByLabel('Filter queues').fill(queue);
  const toggle = page.getByRole('checkbox', { name: /empty parking queues/i });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(row(drained)).toBeVisible();
  await expect(row(dead)).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/overview-parking-shown.png' });
  // The choice stays over a reload.
  await page.reload();
  await page.getByLabel('Filter queues').fill(queue);
  await expect(row(drained)).toBeVisible();
  await page.getByRole('checkbox', { name: /empty parking queues/i }).uncheck();
  await expect(row(drained)).toHaveCount(0);
  await expect(row(queue)).toBeVisible();
  guard.assertClean();
});
