import { spawn } from 'node:child_process';
import path from 'node:path';
import type { FaultChildInput } from './fault-child';

const CHILD = path.join(process.cwd(), 'test', 'control', 'fault-child.ts');

/** Runs the operation in a child process; with `killAfterMs`, SIGKILLs it that long after its first batch. Resolves with how it ended. */
export function runFaultChild(input: FaultChildInput, killAfterMs: number | null): Promise<'killed' | 'completed'> {
  return new Promise((resolve, reject) => {
    // node itself with the tsx loader (not the tsx wrapper, which would leave its node child running after a SIGKILL).
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      // Whole output so far: a line may arrive split over two chunks.
      stdout += chunk.toString();
      if (killAfterMs !== null && !armed && stdout.includes('progress ')) {
        armed = true;
        // The kill lands at a random point of the run: a timer is the point, not a wait.
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && /(^|\n)done /.test(stdout)) resolve('completed');
      else reject(new Error(`child failed (${code ?? signal}): ${stderr.slice(-2000)} ${stdout.slice(-300)}`));
    });
  });
}

export const randomDelay = (max: number): number => Math.floor(Math.random() * max);
