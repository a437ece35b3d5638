import { describe, expect, it } from 'vitest';
import { TASK_NAMES, describeTasks, taskArgIssues, taskDefinition, validateTaskArgs } from './task-registry';

describe('task registry', () => {
  it('knows the demo tasks and describes them as JSON', () => {
    for (const name of ['myapp.tasks.send_otp', 'myapp.tasks.send_email', 'myapp.tasks.generate_report', 'myapp.tasks.process_data', 'myapp.tasks.flaky']) {
      expect(TASK_NAMES).toContain(name);
    }
    const described = describeTasks();
    expect(JSON.parse(JSON.stringify(described))).toEqual(described);
    expect(described.find((t) => t.name === 'myapp.tasks.send_otp')?.args).toMatchObject({ type: 'array' });
  });

  it('validates arguments against the schemas and accepts every example', () => {
    for (const name of TASK_NAMES) {
      const def = taskDefinition(name)!;
      expect(validateTaskArgs(name, def.example.args, def.example.kwargs)).toBeNull();
    }
    expect(validateTaskArgs('myapp.tasks.send_otp', [], {})).toMatch(/^args/);
    expect(validateTaskArgs('myapp.tasks.process_data', ['x'], {})).toMatch(/^args/);
    expect(validateTaskArgs('myapp.tasks.generate_report', ['r'], { format: 'doc' })).toMatch(/^kwargs/);
    expect(validateTaskArgs('unknown.task', 1, 2)).toBeNull();
    expect(taskDefinition('toString')).toBeNull();
  });
});

describe('taskArgIssues', () => {
  it('roots each issue at its field, for forms and the API details', () => {
    expect(taskArgIssues('myapp.tasks.process_data', ['x'], { source: 1 })).toEqual([
      { path: ['args', 0], message: expect.any(String) },
      { path: ['kwargs', 'source'], message: expect.any(String) },
    ]);
    expect(taskArgIssues('myapp.tasks.send_otp', ['+15551234567'], {})).toEqual([]);
    expect(taskArgIssues('free.form.task', 'anything', 42)).toEqual([]);
    // send_email takes one of two tuples: the closer one explains the mistake.
    expect(taskArgIssues('myapp.tasks.send_email', [42], {})).toEqual([{ path: ['args', 0], message: expect.stringMatching(/string/) }]);
  });
});
