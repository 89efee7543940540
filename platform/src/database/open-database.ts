import type { DatabaseEnv } from '../config/env-schemas.ts';
import { forCategory, type Logger } from '../logging/logger.ts';
import { connectDatabase, databaseUrlFromParts, type Sql } from './connection.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrate } from './migrate.ts';

export interface OpenDatabase {
  sql: Sql;
  /** 'external' for DATABASE_URL / DB_HOST, 'embedded' for the bundled server. */
  mode: 'external' | 'embedded';
  close(): Promise<void>;
}

/** Connects to the configured database (starting the embedded one if none is), then migrates. */
export async function openDatabase(env: DatabaseEnv, logger: Logger): Promise<OpenDatabase> {
  const log = forCategory(logger, 'DB');
  const configured = databaseUrlFromParts(env);
  const embedded = configured
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: env.EMBEDDED_PG_DATA_DIR,
        port: env.EMBEDDED_PG_PORT,
        logger: log,
      });
  const url = configured ?? embedded?.url;
  if (!url) throw new Error('no database URL could be determined');
  const sql = connectDatabase({ url, max: env.DB_POOL_MAX, ssl: env.DB_SSL, logger: log });
  try {
    await migrate(sql, { logger: log });
  } catch (error) {
    await sql.end({ timeout: 1 });
    await embedded?.stop();
    throw error;
  }
  return {
    sql,
    mode: embedded ? 'embedded' : 'external',
    close: async () => {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
