/**
 * Request headers that only Triage itself sets (the client's socket address, the page path
 * for the login redirect, the CSP nonce). A client can send headers of the same names, so
 * each value carries this process's random stamp: a value without it was not set by Triage
 * and is ignored. No Node-only imports: proxy.ts loads this too.
 */

/** `<stamp> <tls|tcp> <address>`, set from the socket (peer.ts) before Next sees the request. */
export const PEER_HEADER = 'x-triage-peer';
/** `<stamp> <path and query>`, set by proxy.ts for the root layout's login redirect. */
export const PATH_HEADER = 'x-triage-path';
/** `<stamp> <nonce>`, set by proxy.ts for the layout's inline theme script. */
export const NONCE_HEADER = 'x-nonce';

// On globalThis: instrumentation, proxy.ts and route handlers are separate bundles in one process.
const holder = globalThis as typeof globalThis & { __triageInternalStamp?: string };

function stamp(): string {
  holder.__triageInternalStamp ??= globalThis.crypto.randomUUID();
  return holder.__triageInternalStamp;
}

export function stamped(value: string): string {
  return `${stamp()} ${value}`;
}

/** The value Triage set under `name`, or null when it is missing or a client sent it. */
export function readStamped(headers: Headers, name: string): string | null {
  const raw = headers.get(name);
  const prefix = `${stamp()} `;
  return raw?.startsWith(prefix) ? raw.slice(prefix.length) : null;
}
