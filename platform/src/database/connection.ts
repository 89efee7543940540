import postgres from 'postgres';
import type { Logger } from '../logging/logger.ts';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

export interface ConnectOptions {
  url: string;
  max?: number;
  ssl?: 'disable' | 'require' | 'verify-full';
  logger: Logger;
}

/** Opens a postgres.js pool. bigint ids stay strings (JSON-safe); timestamps become Dates. */
export function connectDatabase({ url, max = 10, ssl = 'disable', logger }: ConnectOptions): Sql {
  return postgres(url, {
    max,
    ssl: ssl === 'disable' ? false : ssl === 'require' ? 'require' : 'verify-full',
    connect_timeout: 10,
    idle_timeout: 30,
    transform: { undefined: null },
    onnotice: (notice) => logger.debug({ notice: notice.message }, 'postgres notice'),
  });
}

/** The connection URL from DATABASE_URL or the DB_* parts; undefined means "use embedded". */
export function databaseUrlFromParts(env: {
  DATABASE_URL?: string | undefined;
  DB_HOST?: string | undefined;
  DB_PORT: number;
  DB_NAME: string;
  DB_USER: string;
  DB_PASSWORD?: string | undefined;
}): string | undefined {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (!env.DB_HOST) return undefined;
  const auth = `${encodeURIComponent(env.DB_USER)}:${encodeURIComponent(env.DB_PASSWORD ?? '')}`;
  return `postgres://${auth}@${env.DB_HOST}:${env.DB_PORT}/${encodeURIComponent(env.DB_NAME)}`;
}
