import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PEER_HEADER, readStamped, stamped } from './internal-headers';

/**
 * The client's socket address for route handlers. Next hands handlers a Request built from
 * the headers only, and fills X-Forwarded-For / -Proto with the socket's values only when the
 * client sent none, so without a trusted proxy those headers say whatever the client wants.
 * Node publishes every incoming request on the `http.server.request.start` diagnostics channel
 * before the server's request handler (Next) runs: there the socket facts are stamped into a
 * header of our own, replacing any copy the client sent.
 */

export interface Peer {
  address: string;
  tls: boolean;
}

const holder = globalThis as typeof globalThis & { __triagePeerStamp?: boolean };

export function peerHeaderValue(peer: Peer): string {
  return stamped(`${peer.tls ? 'tls' : 'tcp'} ${peer.address}`);
}

/** Once per process (instrumentation.ts), before the first request. */
export function installPeerStamp(): void {
  if (holder.__triagePeerStamp) return;
  holder.__triagePeerStamp = true;
  subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket & { encrypted?: boolean } };
    request.headers[PEER_HEADER] = peerHeaderValue({ address: socket.remoteAddress ?? 'unknown', tls: socket.encrypted === true });
  });
}

/** The socket that sent this request, or null when Triage did not stamp it (no socket seen). */
export function requestPeer(request: Request): Peer | null {
  const value = readStamped(request.headers, PEER_HEADER);
  const match = value ? /^(tls|tcp) (.+)$/.exec(value) : null;
  return match ? { tls: match[1] === 'tls', address: match[2]! } : null;
}
