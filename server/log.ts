/** Structured logging with pino; modules take a child logger carrying their own bindings. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the root logger (JSON lines on stdout). */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { app: 'helpdesk' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything, for tests and CLIs. */
export const silentLogger: Logger = pino({ level: 'silent' });
