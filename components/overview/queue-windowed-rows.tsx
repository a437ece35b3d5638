'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import type { Queue } from '@/lib/shared/types';
import { QueueRow } from './queue-row';
import { queueKey, type BacklogSeries } from './queue-list';

const COLUMNS = 9;
const ESTIMATED_ROW_PX = 72;

/**
 * The rows near the viewport (the page scrolls, not the table), between two spacer rows
 * that keep the scrollbar true to the whole list. Row heights vary (lanes, warnings), so
 * each rendered row is measured.
 */
export function WindowedRows({ queues, deepest, history }: { queues: readonly Queue[]; deepest: number; history?: BacklogSeries }) {
  const body = useRef<HTMLTableSectionElement>(null);
  const [offset, setOffset] = useState(0);
  // Where the rows start on the page moves when something above them changes height (a
  // stale-data banner, an unavailable broker's line, wrapped broker cards): measured after
  // every render and on resize; an unchanged value does not render again.
  const measure = useCallback(() => {
    if (body.current) setOffset(Math.round(body.current.getBoundingClientRect().top + window.scrollY));
  }, []);
  useLayoutEffect(measure);
  useEffect(() => {
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [measure]);
  const virtualizer = useWindowVirtualizer({
    count: queues.length,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: 10,
    scrollMargin: offset,
    getItemKey: (index) => queueKey(queues[index]!.broker, queues[index]!.name),
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  // Item offsets include the scroll margin; the total size does not.
  const above = first ? first.start - offset : 0;
  const below = last ? virtualizer.getTotalSize() - (last.end - offset) : 0;
  return (
    <tbody ref={body}>
      {above > 0 ? <Spacer height={above} /> : null}
      {items.map((item) => {
        const queue = queues[item.index]!;
        return (
          <QueueRow
            key={item.key}
            index={item.index}
            measureRef={virtualizer.measureElement}
            queue={queue}
            scale={queue.depth / deepest}
            history={history?.get(queueKey(queue.broker, queue.name))}
          />
        );
      })}
      {below > 0 ? <Spacer height={below} /> : null}
    </tbody>
  );
}

function Spacer({ height }: { height: number }) {
  return (
    <tr aria-hidden style={{ height }}>
      <td colSpan={COLUMNS} className="p-0" />
    </tr>
  );
}

