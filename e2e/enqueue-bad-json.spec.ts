import { expect, test, type Locator, type Page } from '@playwright/test';
import { createUser, deleteTasksNamed, deleteUser, enqueue, getQueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator makes mistakes in the enqueue dialog — broken JSON in args, then in
 * kwargs, then arguments the task's schema refuses, then a target the server refuses. Each
 * time the error appears next to the field it is about, and the queue stays exactly as it was.
 */

const TASK = 'myapp.tasks.send_email';

/** The field's error is the element its aria-describedby names, and sits right under it. */
async function expectErrorNextTo(field: Locator, page: Page, name: string, text: RegExp): Promise<void> {
  const error = page.getByTestId(`field-error-${name}`);
  await expect(error).toHaveText(text);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAttribute('aria-describedby', (await error.getAttribute('id'))!);
  const [f, e] = [await field.boundingBox(), await error.boundingBox()];
  expect(e!.y).toBeGreaterThanOrEqual(f!.y + f!.height);
  expect(e!.y - (f!.y + f!.height)).toBeLessThan(40);
}

test('bad JSON in the enqueue dialog shows a field error and enqueues nothing', async ({ page, request }) => {
  const guard = guardConsole(page);
  const queue = uniqueQueue('bad-json');
  let operator: TestUser | null = null;
  await declareRedisQueues(queue);
  try {
    await enqueue(request, 'redis', queue, { task: TASK, args: ['before@example.com'], priority: 4, count: 3 });
    const before = await getQueue(request, 'redis', queue);
    expect(before.depth).toBe(3);

    // Every enqueue the page sends, to prove the client-side checks send none.
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/tasks')) posts.push(r.url());
    });

    operator = await createUser(request, 'operator');
    await logIn(page, operator);
    await page.getByTestId('enqueue-open').click();
    const dialog = page.getByTestId('enqueue-dialog');
    await dialog.getByLabel('Queue').fill(queue);
    await dialog.getByLabel('Task name').fill(TASK);
    const args = dialog.getByLabel('Args (JSON array)');
    const kwargs = dialog.getByLabel('Kwargs (JSON object)');
    const submit = dialog.getByRole('button', { name: /^Enqueue/ });

    await test.step('broken args JSON', async () => {
      await args.fill('["a@example.com", ');
      await submit.click();
      await expectErrorNextTo(args, page, 'args', /not valid JSON/);
      await expect(page.getByTestId('field-error-kwargs')).toHaveCount(0);
      await page.screenshot({ path: 'e2e/screenshots/enqueue-bad-json.png' });
    });

    await test.step('broken kwargs JSON', async () => {
      await args.fill('["a@example.com"]');
      await kwargs.fill('{"template": }');
      await submit.click();
      await expectErrorNextTo(kwargs, page, 'kwargs', /not valid JSON/);
      await expect(page.getByTestId('field-error-args')).toHaveCount(0);
    });

    await test.step('valid JSON of the wrong shape for the task', async () => {
      await args.fill('{"to": "a@example.com"}');
      await kwargs.fill('{"template": 7}');
      await submit.click();
      await expectErrorNextTo(args, page, 'args', /JSON array/);
      await expectErrorNextTo(kwargs, page, 'kwargs', /^kwargs\.template: /);
      await args.fill('[42]');
      await kwargs.fill('{}');
      await submit.click();
      await expectErrorNextTo(args, page, 'args', /^args\[0\]: /);
    });
    expect(posts, 'client-side errors send nothing').toEqual([]);

    await test.step("the server's 400 lands on the field it names", async () => {
      await args.fill('["a@example.com"]');
      await dialog.getByLabel('Queue').fill(`${queue}-${'x'.repeat(300)}`);
      const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/tasks'));
      await submit.click();
      expect((await answered).status()).toBe(400);
      // That 400 is the journey's point; the field error shows it.
      guard.allow(/\/tasks$/, 400);
      await expectErrorNextTo(dialog.getByLabel('Queue'), page, 'target', /255/);
      await page.screenshot({ path: 'e2e/screenshots/enqueue-bad-json-server.png' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/enqueue-bad-json-dark.png' });
    });

    await test.step('nothing was enqueued', async () => {
      const after = await getQueue(request, 'redis', queue);
      expect(after.depth).toBe(before.depth);
      expect(after.byPriority).toEqual(before.byPriority);
    });
    guard.assertClean();
  } finally {
    await deleteTasksNamed(request, 'redis', queue, TASK);
    if (operator) await deleteUser(request, operator);
    await removeRedisQueues(queue);
  }
});
