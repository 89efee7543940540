import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

/** The original system's log categories, kept so existing dashboards and greps still work. */
export const LOG_CATEGORIES = ['JOB', 'SQS', 'DB', 'AUTH', 'S3', 'API', 'SYSTEM'] as const;
export type LogCategory = (typeof LOG_CATEGORIES)[number];

export type { Logger };

/** Ids that every log line written inside a request or job should carry. */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  videoId?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with ids that every log line inside it (however deep) will include. */
export function withLogContext<T>(ids: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...ids }, fn);
}

// Keys whose values are secrets wherever they appear in a logged object.
const REDACTED_PATHS = [
  'password',
  'passwordHash',
  'password_hash',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'authorization',
  'cookie',
  'DB_PASSWORD',
  'DATABASE_URL',
  'STORAGE_SIGNING_SECRET',
  'AWS_SECRET_ACCESS_KEY',
  'JWT_SECRET',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface CreateLoggerOptions {
  service: string;
  level?: LoggerOptions['level'];
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/** The one logger factory: structured JSON lines with ISO time, level names and context ids. */
export function createLogger({
  service,
  level = 'info',
  destination,
}: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => ({ ...context.getStore() }),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A child logger whose lines carry `category`, e.g. `forCategory(log, 'DB')`. */
export function forCategory(logger: Logger, category: LogCategory): Logger {
  return logger.child({ category });
}
