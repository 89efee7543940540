import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logging/logger.ts';
import type { Sql } from './connection.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// Any fixed 64-bit number works; every VideoForge process agrees on this one so two
// replicas starting at once apply migrations one after the other, never interleaved.
const MIGRATION_LOCK_ID = 7_204_913_551n;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Files named NNNN_description.sql, ordered by NNNN; gaps are allowed, duplicates are not. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql'));
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match)
      throw new MigrationError(`migration file ${file} must be named NNNN_description.sql`);
    const text = await readFile(path.join(dir, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new MigrationError(`two migrations share version ${migrations[i]?.version}`);
    }
  }
  return migrations;
}

/**
 * Applies pending migrations in one transaction under an advisory lock: concurrent
 * starters wait, then see the work done; a failing migration leaves the schema as it
 * was. An applied migration whose file changed is refused rather than silently skipped.
 */
export async function migrate(
  sql: Sql,
  { logger, dir = MIGRATIONS_DIR }: { logger: Logger; dir?: string },
): Promise<{ applied: number[] }> {
  const migrations = await readMigrations(dir);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID.toString()}::bigint)`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const rows = await tx<{ version: number; checksum: string }[]>`
      SELECT version, checksum FROM schema_migrations`;
    const done = new Map(rows.map((row) => [row.version, row.checksum]));
    const applied: number[] = [];
    for (const migration of migrations) {
      const checksum = done.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new MigrationError(
            `migration ${migration.version}_${migration.name} was changed after it was applied; ` +
              'add a new migration instead of editing an applied one',
          );
        }
        continue;
      }
      await tx.unsafe(migration.sql);
      await tx`
        INSERT INTO schema_migrations (version, name, checksum)
        VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`;
      applied.push(migration.version);
      logger.info({ version: migration.version, name: migration.name }, 'applied migration');
    }
    return { applied };
  });
}
