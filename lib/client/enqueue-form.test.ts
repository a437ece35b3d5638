import { describe, expect, it } from 'vitest';
import { buildEnqueueBody, serverFieldErrors, type EnqueueFormValues } from './enqueue-form';

const base: EnqueueFormValues = { broker: 'redis', queue: 'q', task: 'myapp.tasks.process_data', args: '[42]', kwargs: '{}', priority: 0, count: '50' };

describe('buildEnqueueBody', () => {
  it('builds the request body from valid fields', () => {
    expect(buildEnqueueBody(base)).toEqual({ ok: true, body: { task: 'myapp.tasks.process_data', args: [42], kwargs: {}, priority: 0, count: 50 } });
    expect(buildEnqueueBody({ ...base, task: 'free.form', args: '', kwargs: ' ' })).toMatchObject({ ok: true, body: { args: [], kwargs: {} } });
  });

  it('puts JSON, shape and schema errors on their own fields', () => {
    expect(buildEnqueueBody({ ...base, args: '[42', kwargs: '{"a": }' })).toEqual({
      ok: false,
      errors: { args: expect.stringMatching(/^not valid JSON/), kwargs: expect.stringMatching(/^not valid JSON/) },
    });
    expect(buildEnqueueBody({ ...base, args: '{"a": 1}', kwargs: '[1]' })).toEqual({
      ok: false,
      errors: { args: expect.stringMatching(/JSON array/), kwargs: expect.stringMatching(/JSON object/) },
    });
    expect(buildEnqueueBody({ ...base, args: '{"a": 1}', kwargs: '{"source": 3}' })).toEqual({
      ok: false,
      errors: { args: expect.stringMatching(/JSON array/), kwargs: expect.stringMatching(/^kwargs\.source: /) },
    });
    const schema = buildEnqueueBody({ ...base, args: '["x"]', kwargs: '{"source": 3}' });
    expect(schema).toEqual({ ok: false, errors: { args: expect.stringMatching(/^args\[0\]: /), kwargs: expect.stringMatching(/^kwargs\.source: /) } });
  });

  it('refuses counts outside 1..10,000 and a missing task or target', () => {
    for (const count of ['0', '10001', '1.5', 'x', '']) expect(buildEnqueueBody({ ...base, count })).toMatchObject({ ok: false, errors: { count: expect.any(String) } });
    expect(buildEnqueueBody({ ...base, task: ' ', queue: '' })).toMatchObject({ ok: false, errors: { task: expect.any(String), target: expect.any(String) } });
  });
});

describe('serverFieldErrors', () => {
  it('maps details paths onto fields and keeps the rest', () => {
    expect(
      serverFieldErrors([{ path: ['args', 0], message: 'bad' }, { path: ['priority'], message: 'p' }, { path: ['eta'], message: 'e' }], 'invalid body'),
    ).toEqual({ errors: { args: 'args[0]: bad', priority: 'p' }, rest: 'eta: e' });
    expect(serverFieldErrors(undefined, 'no task "x"')).toEqual({ errors: {}, rest: 'no task "x"' });
    expect(serverFieldErrors([{ path: ['queue'], message: 'too long' }], 'invalid params')).toEqual({ errors: { target: 'too long' }, rest: null });
  });
});
