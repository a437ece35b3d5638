import { TcpProxy } from './tcp-proxy';

/**
 * A TCP forwarder that counts what a client sends to a broker: the test's measure of
 * broker cost, unaffected by other test files using the same broker at the same time.
 */
export class CountingProxy extends TcpProxy {
  /** Bytes from clients to the broker. */
  bytesIn = 0;
  /** Redis commands from clients (RESP arrays at the start of a chunk or after a CRLF). */
  commands = 0;

  constructor(targetPort: number) {
    super(targetPort, '127.0.0.1', (chunk) => {
      this.bytesIn += chunk.length;
      this.commands += countCommands(chunk);
    });
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
