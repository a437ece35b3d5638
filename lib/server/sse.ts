import type { LiveEvent, Sampler } from './sampler';

/**
 * One tab's server-sent-events stream, fed by the process-wide sampler. The stream only
 * subscribes; it never reads a broker itself, so a tab costs the brokers nothing extra.
 */

/** Reconnect delay the browser's EventSource uses after the stream drops. */
const RETRY_MS = 3000;
/**
 * Chunks queued for a client that does not read (a frozen tab, a stalled proxy). Beyond
 * this the stream is closed rather than buffered without bound; EventSource reconnects.
 */
const MAX_QUEUED_CHUNKS = 64;

export function formatEvent(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export function sseResponse(sampler: Sampler, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void) | null = null;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let unsubscribe: (() => void) | null = null;
      const close = () => {
        if (!cleanup) return;
        cleanup = null;
        unsubscribe?.();
        signal.removeEventListener('abort', close);
        try {
          controller.close();
        } catch {
          // Already closed or errored by the consumer.
        }
      };
      cleanup = close;
      if (signal.aborted) {
        close();
        return;
      }
      signal.addEventListener('abort', close);
      controller.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
      unsubscribe = sampler.subscribe((event) => {
        if (!cleanup) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) {
          close();
          return;
        }
        controller.enqueue(encoder.encode(formatEvent(event)));
      });
    },
    cancel() {
      cleanup?.();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: keeps Next's gzip (and proxies) from buffering the stream.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx: pass events through as they come.
      'x-accel-buffering': 'no',
    },
  });
}
