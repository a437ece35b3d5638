import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from '@playwright/test';

/**
 * A second Triage server of a journey's own, from the build the suite's web server made
 * (`next start` on another port, same brokers and state Redis): for journeys that freeze or
 * stop the server, or that need other settings, without touching the suite's server.
 */
export interface ServerProcess {
  baseURL: string;
  /** SIGSTOP: the process keeps its sockets open (the kernel still accepts connections) but answers nothing. */
  freeze(): void;
  thaw(): void;
  /** Ends it (thawed first; killed if it has not exited 3 s after SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
}

/** A port per journey, away from the suite's own (E2E_PORT, default 3107). */
export function journeyPort(offset: number): number {
  return Number(process.env.E2E_PORT ?? 3107) + 1000 + offset;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The whole group: `next start` may run its server in a child process.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startServer(options: { port: number; env?: Record<string, string> }): Promise<ServerProcess> {
  const baseURL = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(options.port)], {
    cwd: process.cwd(),
    env: { ...process.env, TRIAGE_DEMO: '1', PORT: String(options.port), LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so freeze/stop reach every process of it.
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}: ${stderr}`);
        try {
          return (await fetch(`${baseURL}/api/v1/health`)).status;
        } catch {
          return 0;
        }
      },
      { message: `a Triage server on ${baseURL}`, timeout: 60_000 },
    )
    .toBe(200);
  return {
    baseURL,
    freeze: () => signalGroup(child, 'SIGSTOP'),
    thaw: () => signalGroup(child, 'SIGCONT'),
    stop: async () => {
      signalGroup(child, 'SIGCONT');
      signalGroup(child, 'SIGTERM');
      // A graceful shutdown waits for open requests, and an event stream never ends by itself.
      const kill = setTimeout(() => signalGroup(child, 'SIGKILL'), 3_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
