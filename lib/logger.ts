import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs for the server and the worker (one line per event, pino's format),
 * so an operator can grep or ship them. Level from LOG_LEVEL.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
