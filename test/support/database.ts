import { randomBytes } from 'node:crypto';
import {
  connectDatabase,
  createLogger,
  migrate,
  startEmbeddedPostgres,
  type Logger,
  type RunningPostgres,
  type Sql,
} from '@videoforge/platform';
import { freePort } from './free-port.ts';

export interface TestDatabase {
  sql: Sql;
  url: string;
  drop(): Promise<void>;
}

const quiet = createLogger({ service: 'test', level: 'warn' });

/** A fresh database (migrated unless told otherwise) on the shared test server, dropped by `drop()`. */
export async function createTestDatabase(
  serverUrl: string,
  { migrated = true } = {},
): Promise<TestDatabase> {
  const name = `vf_test_${randomBytes(6).toString('hex')}`;
  const admin = connectDatabase({ url: serverUrl, max: 1, logger: quiet });
  await admin`CREATE DATABASE ${admin(name)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = connectDatabase({ url: url.toString(), max: 10, logger: quiet });
  if (migrated) await migrate(sql, { logger: quiet });
  return {
    sql,
    url: url.toString(),
    async drop() {
      await sql.end({ timeout: 5 });
      await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
      await admin.end({ timeout: 5 });
    },
  };
}

/**
 * A throwaway PostgreSQL server (the suites' shared one, a bench's own) on a free
 * loopback port, its data under `dataDir`, with superuser postgres/postgres.
 */
export async function startScratchPostgres(
  dataDir: string,
  logger: Logger,
): Promise<RunningPostgres> {
  return startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
    logger,
  });
}
