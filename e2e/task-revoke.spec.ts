import { getTask } from './helpers';
import { expect, test } from './revoke-fixture';

/**
 * Journey, on a Redis queue and on a RabbitMQ one: a long report runs on a Triage worker. An
 * operator opens its task page, presses Terminate, confirms, and sees it `revoked` within
 * seconds, with what was done; the worker lives on and runs the next task.
 */

for (const broker of ['redis', 'rabbitmq'] as const) {
  test.describe(`on ${broker}`, () => {
    test.use({ revokeBroker: broker });

    test('terminate a long task from its task page', async ({ page, request, scene }) => {
      let id = '';
      let worker: Awaited<ReturnType<typeof scene.worker>>;
      await test.step('a long generate_report is running on a worker', async () => {
        // Scale 20: a report takes 60–160 s, far longer than this journey.
        worker = await scene.worker({ env: { TRIAGE_TASK_DURATION_SCALE: '20' } });
        id = (await scene.enqueue({ task: 'myapp.tasks.generate_report', args: ['quarterly-revenue'], kwargs: { format: 'pdf' }, priority: 3 }))[0]!;
        await scene.expectState(id, 'active');
      });

      await test.step('its page shows it active, with Revoke and Terminate for an operator', async () => {
        await scene.signIn(`/tasks/${id}`);
        await expect(page.getByTestId('task-state')).toHaveText('active');
        await expect(page.getByTestId('revoke-open')).toBeEnabled();
        await expect(page.getByTestId('terminate-open')).toBeEnabled();
      });

      await test.step('Terminate asks first; Cancel changes nothing', async () => {
        await page.getByTestId('terminate-open').click();
        const dialog = page.getByTestId('revoke-dialog');
        await expect(dialog).toBeVisible();
        await expect(dialog).toContainText('Terminate this task?');
        await expect(dialog).toContainText(id);
        if (broker === 'redis') await page.screenshot({ path: 'e2e/screenshots/task-revoke-confirm.png', fullPage: true });
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await expect(dialog).toHaveCount(0);
        expect((await getTask(request, id))?.state).toBe('active');
      });

      await test.step('confirmed, the task is revoked within 5 s and the page says what happened', async () => {
        await page.getByTestId('terminate-open').click();
        const asked = Date.now();
        await page.getByTestId('revoke-dialog').getByTestId('revoke-confirm').click();
        await expect(page.getByTestId('revoke-result')).toHaveText('Revoked; terminated while running.');
        await expect(page.getByTestId('task-state')).toHaveText('revoked', { timeout: 5000 });
        expect(Date.now() - asked).toBeLessThan(5000);
        await expect(page.getByTestId('terminate-open')).toBeDisabled();
        await page.screenshot({ path: `e2e/screenshots/task-revoke${broker === 'redis' ? '' : `-${broker}`}.png`, fullPage: true });
      });

      await test.step('the worker lives on and runs the next task', async () => {
        expect(worker.process.exitCode).toBeNull();
        const [next] = await scene.enqueue({ task: 'triage.tasks.noop', priority: 5 });
        await scene.expectState(next!, 'succeeded');
      });
    });
  });
}
