/** The queue page's address: every list that names a queue links to it. */
export function queueHref(broker: string, queue: string): string {
  return `/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queue)}`;
}
