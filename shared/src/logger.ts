import pino, { type Logger } from 'pino';

export type { Logger };

/** The process logger. JSON lines; `LOG_LEVEL` sets the level (default `info`, `silent` in tests). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'], remove: true },
  });
}
