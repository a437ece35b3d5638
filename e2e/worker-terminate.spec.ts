import { getTask } from './helpers';
import { expect, test } from './revoke-fixture';

/**
 * Journey: a one-slot worker runs a long report while a short task waits behind it. An
 * operator opens the workers page, terminates the report from the worker's running list,
 * confirms, and sees what was done; the report is `revoked` within 5 s, leaves the list, and
 * the freed slot runs the waiting task.
 */

test('an operator terminates a running task from the workers page', async ({ page, request, scene }) => {
  let report = '';
  let worker: Awaited<ReturnType<typeof scene.worker>>;
  let next = '';
  await test.step('a long report runs on a one-slot worker, a short task waits', async () => {
    // Scale 20: a report takes 60–160 s, far longer than this journey.
    worker = await scene.worker({ concurrency: 1, env: { TRIAGE_TASK_DURATION_SCALE: '20' } });
    report = (await scene.enqueue({ task: 'myapp.tasks.generate_report', args: ['quarterly-revenue'], kwargs: { format: 'pdf' }, priority: 3 }))[0]!;
    await scene.expectState(report, 'active');
    next = (await scene.enqueue({ task: 'triage.tasks.noop', priority: 5 }))[0]!;
  });

  await scene.signIn('/workers');
  const detail = page.getByTestId(`worker-detail-${worker!.id}`);
  const running = detail.getByTestId('worker-active-tasks-task');

  await test.step('the report is listed running, with Terminate; Cancel changes nothing', async () => {
    await expect(running).toHaveCount(1, { timeout: 15_000 });
    await expect(running).toContainText('myapp.tasks.generate_report');
    await expect(running).toContainText(report);
    await running.getByTestId('worker-task-terminate').click();
    const dialog = page.getByTestId('revoke-dialog');
    await expect(dialog).toContainText('Terminate this task?');
    await expect(dialog).toContainText('myapp.tasks.generate_report');
    await expect(dialog).toContainText(report);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(detail.getByTestId('revoke-result')).toHaveCount(0);
    expect((await getTask(request, report))?.state).toBe('active');
  });

  await test.step('confirmed: revoked within 5 s, gone from the running list, the answer shown', async () => {
    await running.getByTestId('worker-task-terminate').click();
    const asked = Date.now();
    await page.getByTestId('revoke-dialog').getByTestId('revoke-confirm').click();
    await expect(page.getByTestId('revoke-dialog')).toHaveCount(0);
    await expect(detail.getByTestId('revoke-result')).toHaveText(`myapp.tasks.generate_report ${report}: Revoked; terminated while running.`);
    await scene.expectState(report, 'revoked', 5000);
    expect(Date.now() - asked).toBeLessThan(5000);
    await expect(running.filter({ hasText: report })).toHaveCount(0, { timeout: 10_000 });
    await page.screenshot({ path: 'e2e/screenshots/worker-terminate.png', fullPage: true });
  });

  await test.step('the worker lives on: the freed slot runs the waiting task', async () => {
    expect(worker!.process.exitCode).toBeNull();
    await scene.expectState(next, 'succeeded');
  });

  await test.step('its task page says revoked', async () => {
    await page.goto(`/tasks/${report}`);
    await expect(page.getByTestId('task-state')).toHaveText('revoked');
  });
});
