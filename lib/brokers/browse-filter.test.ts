import { describe, expect, it } from 'vitest';
import { matchesSelector, taskNameMatches } from './browse-filter';

describe('task name matching', () => {
  it('matches a part of the name, ignoring case', () => {
    expect(taskNameMatches('myapp.tasks.generate_report', 'generate_report')).toBe(true);
    expect(taskNameMatches('myapp.tasks.generate_report', 'GENERATE_Report')).toBe(true);
    expect(taskNameMatches('myapp.tasks.generate_report', 'myapp.tasks.generate_report')).toBe(true);
    expect(taskNameMatches('myapp.tasks.send_email', 'generate_report')).toBe(false);
    expect(taskNameMatches(null, 'generate_report')).toBe(false);
  });

  it('selects by task part, level and id together', () => {
    const m = { id: 'a', task: 'myapp.tasks.Generate_Report' };
    expect(matchesSelector(m, 3, { task: 'generate', priorities: [3] }, new Set(['a']))).toBe(true);
    expect(matchesSelector(m, 3, { task: 'generate', priorities: [0] }, null)).toBe(false);
    expect(matchesSelector(m, 3, { task: 'email' }, null)).toBe(false);
  });
});
