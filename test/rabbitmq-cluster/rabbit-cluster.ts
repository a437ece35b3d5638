import { execFile, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@/test/support';

const run = promisify(execFile);

/**
 * A two-node RabbitMQ cluster on local ports, started from Debian's rabbitmq-server beside the
 * machine's own broker (its own node names, AMQP, distribution and management ports, data and
 * log directories): what a clustered Celery deployment looks like to Triage.
 */
function rabbitUser(): { uid: number; gid: number } | null {
  const id = spawnSync('id', ['rabbitmq'], { encoding: 'utf8' });
  const uid = /uid=(\d+)/.exec(id.stdout)?.[1];
  const gid = /gid=(\d+)/.exec(id.stdout)?.[1];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
}

export const clusterAvailable = spawnSync('sh', ['-c', 'command -v rabbitmq-server && command -v rabbitmqctl']).status === 0 && process.getuid?.() === 0 && rabbitUser() !== null;
export const clusterSkipReason = 'needs rabbitmq-server and root (the nodes run as the rabbitmq user, as the package sets up)';

export interface RabbitNode {
  name: string;
  amqpPort: number;
  managementPort: number;
  amqpUrl: string;
  managementUrl: string;
}

export class RabbitCluster {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'triage-rabbit-cluster-'));
  private readonly tag = Math.random().toString(36).slice(2, 7);
  nodes: RabbitNode[] = [];

  /** kombu's failover form: every node's AMQP URL, `;`-separated. */
  get amqpUrl(): string {
    return this.nodes.map((n) => n.amqpUrl).join(';');
  }

  get managementUrl(): string {
    return this.nodes.map((n) => n.managementUrl).join(';');
  }

  async start(): Promise<void> {
    const owner = rabbitUser()!;
    chownSync(this.dir, owner.uid, owner.gid);
    for (const label of ['a', 'b']) {
      const amqpPort = await freePort();
      const managementPort = await freePort();
      const distPort = await freePort();
      const name = `triage${this.tag}${label}@localhost`;
      const home = path.join(this.dir, label);
      mkdirSync(home);
      const conf = path.join(home, 'rabbitmq.conf');
      writeFileSync(conf, [`listeners.tcp.default = ${amqpPort}`, `management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1', 'loopback_users = none', ''].join('\n'));
      writeFileSync(path.join(home, 'enabled_plugins'), '[rabbitmq_management].\n');
      spawnSync('chown', ['-R', `${owner.uid}:${owner.gid}`, home]);
      const env = {
        ...process.env,
        RABBITMQ_NODENAME: name,
        RABBITMQ_NODE_PORT: String(amqpPort),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_CONFIG_FILE: conf,
        RABBITMQ_ENABLED_PLUGINS_FILE: path.join(home, 'enabled_plugins'),
        RABBITMQ_MNESIA_BASE: path.join(home, 'mnesia'),
        RABBITMQ_LOG_BASE: path.join(home, 'log'),
        RABBITMQ_PID_FILE: path.join(home, 'pid'),
      };
      await run('rabbitmq-server', ['-detached'], { env });
      this.nodes.push({
        name,
        amqpPort,
        managementPort,
        amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
        managementUrl: `http://guest:guest@127.0.0.1:${managementPort}`,
      });
    }
    // `rabbitmq-server -detached` returns before the node registers with epmd, and await_startup
    // fails at once for a node epmd does not know yet: wait for the registration first.
    for (const node of this.nodes) {
      const short = node.name.split('@')[0]!;
      await waitFor(`${node.name} to register with epmd`, async () => (await run('epmd', ['-names'])).stdout.split('\n').some((line) => line.startsWith(`name ${short} `)), 180_000, 500);
      await this.ctl(node, 'await_startup', '--timeout', '180');
    }
    const [a, b] = this.nodes as [RabbitNode, RabbitNode];
    await this.ctl(b, 'stop_app');
    await this.ctl(b, 'reset');
    await this.ctl(b, 'join_cluster', a.name);
    await this.ctl(b, 'start_app');
    await this.waitForManagement(a);
    await this.waitForManagement(b);
  }

  private async waitForManagement(node: RabbitNode): Promise<void> {
    const authorization = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
    await waitFor(`the management API of ${node.name}`, () => fetch(`http://127.0.0.1:${node.managementPort}/api/overview`, { headers: { authorization } }).then((r) => r.ok), 120_000, 250);
  }

  ctl(node: RabbitNode, ...args: string[]): Promise<unknown> {
    return run('rabbitmqctl', ['-n', node.name, ...args], { timeout: 190_000 });
  }

  /** Declares a queue hosted by `node` (classic) or led by it (quorum), through that node's management API. */
  async declare(node: RabbitNode, queue: string, args: Record<string, unknown>): Promise<void> {
    const response = await fetch(`http://127.0.0.1:${node.managementPort}/api/queues/%2F/${encodeURIComponent(queue)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
      body: JSON.stringify({ durable: true, arguments: args, node: node.name }),
    });
    if (!response.ok) throw new Error(`declaring ${queue} on ${node.name}: HTTP ${response.status} ${await response.text()}`);
  }

  /** Stops a node as an operator or a crash would: its AMQP and management ports close. */
  async stopNode(node: RabbitNode): Promise<void> {
    await this.ctl(node, 'stop');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.ctl(node, 'stop').catch(() => {})));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
