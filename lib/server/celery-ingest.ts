import { subscribeCeleryEvents } from '@/lib/brokers/registry';
import { CeleryEventIngestor } from '@/lib/celery/ingest';
import { resendPauses, scheduleResend } from '@/lib/control/pause-resend';
import { runtime } from './runtime';

const holder = globalThis as typeof globalThis & { __triageCeleryIngest?: Promise<Array<() => Promise<void>>> };

/**
 * Listens to real Celery workers' events on every broker for as long as the server runs
 * (Celery's events are lost when nobody listens). Started once per server process.
 */
export function startCeleryIngestion(): Promise<Array<() => Promise<void>>> {
  holder.__triageCeleryIngest ??= (async () => {
    const rt = runtime();
    await rt.ready;
    const { tasks, workers, pauses, waitTimes } = rt.state;
    return Promise.all(
      rt.config.brokers.map((config) => {
        const warn = (msg: string) => (err: unknown) => rt.logger.warn({ err, broker: config.id }, msg);
        const broker = rt.brokers.get(config.id)!;
        const ingestor = new CeleryEventIngestor(config.id, tasks, workers, warn('celery event not applied'), () =>
          scheduleResend(() => resendPauses(broker, pauses), warn('pause not re-sent to a celery worker')),
          waitTimes,
        );
        return subscribeCeleryEvents(config, (events) => void ingestor.push(events), rt.logger);
      }),
    );
  })();
  return holder.__triageCeleryIngest;
}
