import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '@/test/support';

/**
 * A Redis Sentinel deployment on local ports, started from Debian's `redis-server` and
 * `redis-sentinel`: one master, one replica, three sentinels (quorum 2) that declare the
 * master down after 1 s. `killMaster()` SIGKILLs the current master, as a crashed host would.
 */
export const sentinelAvailable = ['redis-server', 'redis-sentinel'].every((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);
export const sentinelSkipReason = 'redis-sentinel is not installed (Debian package redis-sentinel; .ci/run installs it)';

/** A one-off client whose failures reach the caller as rejected commands, not as unhandled 'error' events. */
function quietClient(port: number, lazyConnect = false): Redis {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => {});
  return client;
}

export class SentinelGroup {
  readonly masterName = `tm${Math.random().toString(36).slice(2, 8)}`;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'triage-sentinel-'));
  private readonly servers = new Map<number, ChildProcess>();
  private readonly sentinels: ChildProcess[] = [];
  redisPorts: number[] = [];
  sentinelPorts: number[] = [];

  /** kombu's URL form, with the master group named as Triage reads it. */
  get url(): string {
    return `${this.sentinelPorts.map((port) => `sentinel://127.0.0.1:${port}`).join(';')}?master_name=${this.masterName}`;
  }

  async start(): Promise<void> {
    this.redisPorts = [await freePort(), await freePort()];
    this.sentinelPorts = [await freePort(), await freePort(), await freePort()];
    const [master, replica] = this.redisPorts as [number, number];
    this.startServer(master);
    this.startServer(replica, master);
    for (const port of this.sentinelPorts) {
      const config = path.join(this.dir, `sentinel-${port}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `sentinel monitor ${this.masterName} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${this.masterName} 1000`,
          `sentinel failover-timeout ${this.masterName} 5000`,
          `sentinel parallel-syncs ${this.masterName} 1`,
          '',
        ].join('\n'),
      );
      this.sentinels.push(spawn('redis-sentinel', [config], { stdio: 'ignore' }));
    }
    // Ready once every sentinel knows the replica (it learns it from the master) and the other sentinels.
    await waitFor('the sentinels to see the replica and each other', async () => {
      for (const port of this.sentinelPorts) {
        const client = quietClient(port, true);
        try {
          await client.connect();
          const replicas = (await client.call('SENTINEL', 'REPLICAS', this.masterName)) as unknown[];
          const peers = (await client.call('SENTINEL', 'SENTINELS', this.masterName)) as unknown[];
          if (replicas.length < 1 || peers.length < 2) return false;
        } finally {
          client.disconnect();
        }
      }
      const info = await this.command(master, 'INFO', 'replication');
      return /connected_slaves:1/.test(String(info)) && /state=online/.test(String(info));
    }, 30_000, 200);
  }

  private startServer(port: number, replicaOf?: number): void {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--dbfilename', `dump-${port}.rdb`];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    this.servers.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  }

  /** The process id of the server on `port` (to freeze it with SIGSTOP). */
  pid(port: number): number {
    return this.servers.get(port)!.pid!;
  }

  /** The port of the server the sentinels name as master now. */
  async masterPort(): Promise<number> {
    const client = quietClient(this.sentinelPorts[0]!);
    try {
      const [, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)) as [string, string];
      return Number(port);
    } finally {
      client.disconnect();
    }
  }

  async command(port: number, ...args: string[]): Promise<unknown> {
    const client = quietClient(port);
    try {
      return await client.call(args[0]!, ...args.slice(1));
    } finally {
      client.disconnect();
    }
  }

  /**
   * Brings a killed server back as a replica of the current master and waits until it is in
   * sync, so each test starts from a master with one replica.
   */
  async heal(): Promise<void> {
    const master = await this.masterPort();
    for (const port of this.redisPorts) if (!this.servers.has(port)) this.startServer(port, master);
    await waitFor('the replica to be in sync', async () => /connected_slaves:1[\s\S]*state=online/.test(String(await this.command(master, 'INFO', 'replication'))), 30_000, 200);
  }

  /** SIGKILLs the current master; resolves with its port once it is dead. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    const child = this.servers.get(port)!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.servers.delete(port);
    return port;
  }

  /** Waits until the sentinels name another server master than `oldPort`, and that server says it is one. */
  async failedOver(oldPort: number, timeoutMs = 30_000): Promise<number> {
    return waitFor('the sentinels to promote the replica', async () => {
      const port = await this.masterPort();
      if (port === oldPort) return null;
      const role = (await this.command(port, 'ROLE')) as [string];
      return role[0] === 'master' ? port : null;
    }, timeoutMs, 100);
  }

  async stop(): Promise<void> {
    const all = [...this.servers.values(), ...this.sentinels];
    await Promise.all(all.map((child) => (child.exitCode !== null ? null : new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL'))))));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
