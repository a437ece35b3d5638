'use client';

import { queuePath } from '@/lib/client/api';
import { useControlAction } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { Button } from '../ui/button';

/** Pause stops Triage workers taking from the queue within a second (Celery workers get cancel_consumer). */
export function PauseButton({ queue }: { queue: Queue }) {
  const action = useControlAction<Queue>(queue.broker, queue.name, { tracked: false });
  const verb = queue.paused ? 'resume' : 'pause';
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        disabled={action.isPending}
        data-testid="pause-toggle"
        onClick={() => action.mutate({ path: queuePath(queue.broker, queue.name, `/${verb}`) })}
        title={queue.paused ? 'Workers start taking from this queue again' : 'Workers stop taking from this queue within a second and finish what they hold'}
      >
        {action.isPending ? (queue.paused ? 'Resuming…' : 'Pausing…') : queue.paused ? 'Resume' : 'Pause'}
      </Button>
      {action.error ? (
        <span role="alert" className="text-sm text-red-800 dark:text-red-300">
          {verb} failed: {action.error.message}
        </span>
      ) : null}
    </span>
  );
}
