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
    expect(taskArgIssues('myapp.tasks.send_email', [42], {})).toEqual([{ path: ['args', 0], message: 'must be text, not a whole number' }]);
  });
});

describe('issue messages are plain words, not validator jargon', () => {
  const message = (name: string, args: unknown, kwargs: unknown = {}) => taskArgIssues(name, args, kwargs).map((i) => i.message);

  it('says what is missing or wrong in words a person uses', () => {
    // zod's own: "Too small: expected array to have >=1 items".
    expect(message('myapp.tasks.send_email', [])).toEqual(['needs at least 1 item']);
    expect(message('myapp.tasks.send_email', ['a@example.com', 'Hi', 'extra'])).toEqual(['takes at most 2 items']);
    expect(message('myapp.tasks.process_data', ['x'])).toEqual(['must be a number, not text']);
    expect(message('myapp.tasks.process_data', [-1])).toEqual(['must be 0 or more']);
    expect(message('myapp.tasks.process_data', [1.5])).toEqual(['must be a whole number']);
    expect(message('myapp.tasks.send_email', ['ab'])).toEqual(['must be at least 3 characters long']);
    expect(message('myapp.tasks.generate_report', [''])).toEqual(['must not be empty']);
    expect(message('myapp.tasks.generate_report', ['r'], { format: 'doc' })).toEqual(['must be one of "pdf", "csv"']);
    expect(message('myapp.tasks.send_otp', ['+15551234567'], { code: 'abc' })).toEqual(['does not have the expected format']);
    expect(message('myapp.tasks.flaky', [], { fail_rate: 2 })).toEqual(['must be 1 or less']);
    expect(message('myapp.tasks.send_otp', [null])).toEqual(['must be text, not null']);
    expect(message('myapp.tasks.process_data', [])).toEqual(['needs at least 1 item']);
  });

  it('keeps a schema’s own message', () => {
    expect(message('myapp.tasks.send_otp', ['12'])).toEqual(['a phone number like +15551234567']);
  });

  it('never leaks zod wording', () => {
    const samples: [string, unknown, unknown][] = [
      ['myapp.tasks.send_email', [], {}],
      ['myapp.tasks.send_email', [1, 2, 3], { template: 4 }],
      ['myapp.tasks.process_data', [{}], { source: [] }],
      ['myapp.tasks.generate_report', [true], { format: 1 }],
      ['myapp.tasks.flaky', [], { fail_times: -1, max_retries: 99 }],
    ];
    for (const [name, args, kwargs] of samples) {
      for (const text of message(name, args, kwargs)) expect(text).not.toMatch(/Too (small|big)|Invalid|expected|received|>=|<=/);
    }
  });
});
