import net from 'node:net';

/**
 * A TCP forwarder that counts what a client sends to a broker: the test's measure of
 * broker cost, unaffected by other test files using the same broker at the same time.
 */
export class CountingProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Bytes from clients to the broker. */
  bytesIn = 0;
  /** Redis commands from clients (RESP arrays at the start of a chunk or after a CRLF). */
  commands = 0;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.on('data', (chunk: Buffer) => {
        this.bytesIn += chunk.length;
        this.commands += countCommands(chunk);
      });
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Approximate: counts `*<n>\r\n$` (a RESP command array followed by a bulk string). ioredis
 * sends every command that way; a value that happens to contain the pattern would be counted
 * too, which the 1-vs-20 comparison tolerates because both sides send the same values.
 */
function countCommands(chunk: Buffer): number {
  const text = chunk.toString('latin1');
  const matches = text.match(/(^|\r\n)\*\d+\r\n\$/g);
  return matches ? matches.length : 0;
}
