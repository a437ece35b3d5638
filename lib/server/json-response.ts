/**
 * JSON responses. Next gzips every response it streams (it never knows their length), even
 * a 60-byte `{ ids }`: for bodies under a kilobyte gzip costs both sides more CPU than the
 * bytes it saves (about 0.4 ms of server and 0.35 ms of client CPU per request here), so
 * those are marked `no-transform`, which Next's compression honours. Larger ones (queue
 * listings, message pages) are still compressed.
 */
const COMPRESS_FROM_BYTES = 1024;

export function jsonResponse(value: unknown, init: ResponseInit = {}): Response {
  const body = JSON.stringify(value);
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json');
  if (body.length < COMPRESS_FROM_BYTES) {
    const cacheControl = headers.get('cache-control');
    headers.set('cache-control', cacheControl ? `${cacheControl}, no-transform` : 'no-transform');
  }
  return new Response(body, { ...init, headers });
}
