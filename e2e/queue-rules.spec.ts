import { expect, test, type APIRequestContext } from '@playwright/test';
import { createUser, deleteUser, enqueue, getMessages, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, queueUrl, removeRedisQueues } from './queue-helpers';

/**
 * Journey: during an incident an operator filters a queue to generate_report at P1, presses
 * "Apply to arriving tasks too", reads the preview, and makes a rule that sends them to P8.
 * Reports sent afterwards arrive at P1 and end at P8 within seconds; the backlog stays. The
 * rules page lists it with its count; the operator pauses and deletes it.
 */

const queue = uniqueQueue('rules');
const REPORT = 'myapp.tasks.generate_report';
let user: TestUser | null = null;

/** Each waiting task's own priority (the API's `priority` is the level it is stored at). */
async function ownPriorities(request: APIRequestContext, ids: string[]): Promise<number[]> {
  const messages = (await getMessages(request, 'redis', queue)) as unknown as { id: string; taskPriority: number }[];
  return ids.map((id) => messages.find((m) => m.id === id)?.taskPriority ?? -1);
}

test.afterAll(async ({ request }) => {
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('an operator turns a queue filter into a standing rule for arriving tasks', async ({ page, request }) => {
  const guard = guardConsole(page);
  await declareRedisQueues(queue);
  const backlog = await enqueue(request, 'redis', queue, { task: REPORT, priority: 1, count: 3 });
  await enqueue(request, 'redis', queue, { task: 'myapp.tasks.send_otp', priority: 0 });
  user = await createUser(request, 'operator');
  await logIn(page, user, `${queueUrl('redis', queue)}?task=generate_report&priority=1`);

  await test.step('the filter becomes a rule, previewed first', async () => {
    await page.getByRole('button', { name: 'Apply to arriving tasks too…' }).click();
    const dialog = page.getByTestId('rule-dialog');
    await expect(dialog.getByTestId('rule-match')).toHaveText('task name contains “generate_report” and priority P1');
    await expect(dialog.getByTestId('rule-preview')).toContainText('Choose the action');
    await dialog.getByLabel('New priority').selectOption('8');
    await dialog.getByLabel('Note (optional)').fill('incident 42: reports wait');
    await expect(dialog.getByTestId('rule-preview')).toContainText('3 waiting now match (not changed)');
    await page.screenshot({ path: 'e2e/screenshots/queue-rules-dialog.png' });
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await expect(dialog.getByTestId('rule-created')).toContainText('Rule created');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  await test.step('reports sent afterwards end at P8; the backlog keeps P1', async () => {
    const arriving = await enqueue(request, 'redis', queue, { task: REPORT, priority: 1, count: 2 });
    await expect.poll(() => ownPriorities(request, arriving), { timeout: 5000 }).toEqual([8, 8]);
    expect(await ownPriorities(request, backlog)).toEqual([1, 1, 1]);
  });

  await test.step('the rules page lists it with its count; pause, then delete', async () => {
    await page.getByRole('link', { name: 'Rules' }).click();
    const row = page.getByTestId('rule-row').filter({ hasText: queue });
    await expect(row.getByTestId('rule-state')).toHaveText('active');
    await expect(row.getByTestId('rule-applied')).toContainText('applied to 2', { timeout: 5000 });
    await page.screenshot({ path: 'e2e/screenshots/rules.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/rules-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'e2e/screenshots/rules-phone.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await row.getByRole('button', { name: 'Pause' }).click();
    await expect(row.getByTestId('rule-state')).toHaveText('paused');
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(row.getByTestId('rule-state')).toHaveText('deleted');
    await expect(row.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  });
  guard.assertClean();
});
