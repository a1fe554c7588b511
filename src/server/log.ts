/** The server's log: readable lines in a terminal (pino-pretty), one JSON object a line otherwise (for collectors). */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export function serverLog(level = process.env.LOG_LEVEL ?? 'info', tty = Boolean(process.stdout.isTTY)): Logger {
  if (!tty) return pino({ level });
  // Synchronous: a line is on the screen before the next one a person reads (and before the process exits).
  return pino({ level }, pretty({ sync: true, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }));
}
