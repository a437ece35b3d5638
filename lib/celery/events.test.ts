import { describe, expect, it } from 'vitest';
import { parseAmqpEventMessage, parseEventBody, parseRedisEventMessage, taskStateFor } from './events';

// Bodies as celery-wire.md §4.1 recorded them from Celery 5.2.6.
const SENT = {
  hostname: 'gen16540@vm',
  utcoffset: 0,
  pid: 16540,
  clock: 1,
  uuid: '14066d2c-0000-0000-0000-000000000000',
  root_id: '14066d2c-0000-0000-0000-000000000000',
  parent_id: null,
  name: 'probe.work',
  args: "('ev1', '5')",
  kwargs: "{'sleep': 0.2}",
  retries: 0,
  eta: null,
  expires: null,
  queue: 'celery',
  exchange: '',
  routing_key: 'celery',
  timestamp: 1795506827.7748299,
  type: 'task-sent',
};
const STARTED_MULTI = [{ hostname: 'probeEV@vm', utcoffset: 0, pid: 16520, clock: 5, uuid: SENT.uuid, timestamp: 1795506827.792368, type: 'task-started' }];
const HEARTBEAT = {
  hostname: 'probeEV@vm',
  utcoffset: 0,
  pid: 16520,
  clock: 2,
  freq: 2.0,
  active: 0,
  processed: 0,
  loadavg: [2.62, 2.24, 1.21],
  sw_ident: 'py-celery',
  sw_ver: '5.2.6',
  sw_sys: 'Linux',
  timestamp: 1795506827.595292,
  type: 'worker-heartbeat',
};

function kombuEnvelope(body: unknown): string {
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { hostname: 'probeEV@vm' },
    properties: { delivery_mode: 1, delivery_info: { exchange: 'celeryev', routing_key: 'task.multi' }, priority: 0, body_encoding: 'base64', delivery_tag: 'x' },
  });
}

describe('Celery events', () => {
  it('reads a single task event, a task.multi list and a heartbeat', () => {
    expect(parseEventBody(SENT)).toMatchObject([{ kind: 'task', event: { type: 'task-sent', uuid: SENT.uuid, name: 'probe.work', queue: 'celery' } }]);
    expect(parseEventBody(STARTED_MULTI)).toMatchObject([{ kind: 'task', event: { type: 'task-started', hostname: 'probeEV@vm' } }]);
    expect(parseEventBody(HEARTBEAT)).toMatchObject([{ kind: 'worker', event: { type: 'worker-heartbeat', freq: 2, sw_ver: '5.2.6' } }]);
  });

  it('unwraps the kombu envelope Redis pub/sub carries, and raw AMQP bodies', () => {
    expect(parseRedisEventMessage(kombuEnvelope(STARTED_MULTI))).toHaveLength(1);
    expect(parseRedisEventMessage(kombuEnvelope([SENT, ...STARTED_MULTI]))).toHaveLength(2);
    expect(parseAmqpEventMessage(Buffer.from(JSON.stringify(HEARTBEAT)))[0]?.kind).toBe('worker');
  });

  it('drops what it cannot read without throwing', () => {
    for (const junk of ['', 'not json', '{"body": 5}', kombuEnvelope({ type: 'task-started' }), kombuEnvelope([1, 'x', null])]) {
      expect(parseRedisEventMessage(junk)).toEqual([]);
    }
    expect(parseAmqpEventMessage(Buffer.from([0xff, 0xfe]))).toEqual([]);
  });

  it('maps event types to Triage task states', () => {
    expect(['task-sent', 'task-received', 'task-started', 'task-succeeded', 'task-failed', 'task-retried', 'task-revoked', 'task-x'].map(taskStateFor)).toEqual([
      'queued',
      'queued',
      'active',
      'succeeded',
      'failed',
      'retrying',
      'revoked',
      null,
    ]);
  });
});
