import { mkdtempSync } from 'node:fs';
import amqp from 'amqplib';
import { afterAll } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as queues from '@/app/api/v1/queues/route';
import * as messages from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import type { MessagePage, Queue } from '@/lib/shared/types';
import { call } from '../api-client';
import { AMQP_URL, scratchRedis, waitFor } from '../support';
import { executions, startWorker, stopWorker, workerStderr, type Execution, type ProbeEnv } from './celery';

/** API calls and a Celery-worker run shared by the interop test files. */
export async function apiQueue(broker: string, name: string): Promise<Queue | undefined> {
  const res = await call<{ queues: Queue[] }>(queues.GET, 'GET', '/api/v1/queues');
  return res.body.queues.find((q) => q.broker === broker && q.name === name);
}

export async function apiBrowse(broker: string, name: string): Promise<MessagePage> {
  const res = await call<MessagePage>(messages.GET, 'GET', `/api/v1/queues/${broker}/${name}/messages?limit=500`, { broker, queue: name });
  if (res.status !== 200) throw new Error(`browse failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function apiEnqueue(broker: string, name: string, body: object): Promise<string[]> {
  const res = await call<{ ids: string[] }>(tasks.POST, 'POST', `/api/v1/queues/${broker}/${name}/tasks`, { broker, queue: name }, body);
  if (res.status !== 201) throw new Error(`enqueue failed: ${JSON.stringify(res.body)}`);
  return res.body.ids;
}

export function logFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'triage-celery-')), 'executed.jsonl');
}

/** Runs a real Celery worker on the queue until `count` tasks have executed. */
// Below the 120 s test timeout, so a stuck worker fails with its own report (count, stderr).
export async function runCeleryWorker(probe: ProbeEnv, count: number, timeoutMs = 90_000): Promise<Execution[]> {
  const worker = startWorker(probe);
  try {
    return await waitFor(
      `the Celery worker to execute ${count} tasks`,
      () => {
        const done = executions(probe.PROBE_LOG!);
        return done.length >= count ? done : null;
      },
      timeoutMs,
      200,
    );
  } catch (error) {
    const state = worker.exitCode !== null || worker.signalCode !== null ? `exited (${worker.exitCode ?? worker.signalCode})` : 'still running';
    throw new Error(
      `${(error as Error).message}; it executed ${executions(probe.PROBE_LOG!).length}, worker ${state}; its stderr: ${workerStderr(worker) || '(empty)'}`,
      { cause: error },
    );
  } finally {
    await stopWorker(worker);
  }
}

/** Deletes a test file's own RabbitMQ queues. */
export async function deleteRabbitQueues(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  for (const name of names) await channel.deleteQueue(name);
  await connection.close();
}

/**
 * A test file's scratch Redis names and RabbitMQ queues: after its tests they are removed,
 * the server runtime is reset and TRIAGE_CONFIG unset.
 */
export function interopScratch() {
  const scratch = scratchRedis();
  const rabbitQueues: string[] = [];
  afterAll(async () => {
    await resetRuntime();
    await scratch.done();
    await deleteRabbitQueues(rabbitQueues);
    delete process.env.TRIAGE_CONFIG;
  });
  return { redis: scratch.client, names: scratch.names, rabbitQueues };
}
