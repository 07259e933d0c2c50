import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The process logger. JSON lines; `LOG_LEVEL` sets the level (default `info`, `silent` in tests). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: [...SECRETS, ...SQL_VALUES], remove: true },
    },
    destination,
  );
}

const SECRETS = ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'];

/**
 * What a failed SQL statement carries besides the statement: TypeORM's QueryFailedError holds the
 * bound `parameters` (e-mail addresses, address lines…) and copies the driver error's `detail`
 * ("Key (email)=(…) already exists"). The statement text itself has placeholders only, so it is
 * kept; the values never reach a log, in any environment.
 */
const SQL_VALUES = ['err.parameters', 'err.detail', 'err.driverError', 'err.cause.parameters', 'err.cause.detail', 'err.cause.driverError'];
