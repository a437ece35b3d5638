import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkerHarness, fifoWithinLevel, inversions, orderRun } from '@/lib/worker/test-harness';
import { TARGETS } from '@/test/contract/targets';
import { uniqueName } from '@/test/support';

/**
 * The production worker is the bundle `npm run build` writes (scripts/build-node.mjs), run by
 * plain node with no TypeScript loader: it must keep the worker's contract, not only start.
 */
// Inside the project, as in production: the bundle resolves its dependencies from node_modules.
const outDir = path.join('dist', `test-${randomUUID().slice(0, 8)}`);

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-node.mjs', outDir], { stdio: 'pipe' });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe.each(TARGETS)('the compiled worker on $kind', (target) => {
  let harness: WorkerHarness | null = null;
  afterEach(async () => {
    await harness?.cleanup();
    harness = null;
  });

  it('runs tasks in strict priority order with no TypeScript loader', async () => {
    const queue = uniqueName('built');
    const probe = `${queue}-probe`;
    harness = new WorkerHarness(target, { queues: [{ name: queue, everyPriority: true }, { name: probe }], entry: [path.join(outDir, 'worker.mjs')] });
    const { levels, seqs } = await orderRun(harness, queue, probe, 1, { name: 'triage.tasks.noop', args: (seq) => [seq] });
    expect(levels).toHaveLength(200);
    expect(inversions(levels)).toBe(0);
    expect(fifoWithinLevel(levels, seqs)).toBe(true);
  });
});

describe('the compiled CLIs', () => {
  it('run with plain node', () => {
    const help = execFileSync(process.execPath, [path.join(outDir, 'token.mjs'), 'generate'], { encoding: 'utf8' });
    expect(help).toMatch(/sha256/);
  });
});
