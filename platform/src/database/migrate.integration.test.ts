import { cp, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, inject, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createLogger } from '../logging/logger.ts';
import { connectDatabase } from './connection.ts';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from './migrate.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase(inject('postgresUrl'), { migrated: false });
  cleanups.push(() => db.drop());
  return db;
}

async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describeWith(['postgres'], 'migrations on a real PostgreSQL', () => {
  it('applies every migration once, even when several processes start together', async () => {
    const db = await freshDatabase();
    const pools = [0, 1, 2].map(() => connectDatabase({ url: db.url, max: 2, logger }));
    cleanups.push(() => Promise.all(pools.map((p) => p.end())));
    const results = await Promise.all(pools.map((sql) => migrate(sql, { logger })));
    const all = (await readMigrations()).map((m) => m.version);
    expect(
      results
        .map((r) => r.applied)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(all);
    expect((await migrate(db.sql, { logger })).applied).toEqual([]);
    const tables = await db.sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'jobs',
        'gallery_videos',
        'media_assets',
        'outbox',
        'queue_messages',
        'schema_migrations',
      ]),
    );
  });

  it('stores timestamps as timestamptz and enforces foreign keys', async () => {
    const db = await freshDatabase();
    await migrate(db.sql, { logger });
    const nonTz = await db.sql`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'`;
    expect(nonTz).toEqual([]);
    await expect(
      db.sql`INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix) VALUES (999, 999, '{720p}', 'k', 'p/')`,
    ).rejects.toThrow(/foreign key/);
  });

  it('rolls back every pending migration when one fails', async () => {
    const db = await freshDatabase();
    const dir = await migrationsCopy();
    await writeFile(
      path.join(dir, '9999_broken.sql'),
      'CREATE TABLE will_vanish (id int);\nSELECT no_such_function();\n',
    );
    await expect(migrate(db.sql, { logger, dir })).rejects.toThrow(/no_such_function/);
    const [exists] = await db.sql<{ users: string | null; vanished: string | null }[]>`
      SELECT to_regclass('public.users')::text AS users, to_regclass('public.will_vanish')::text AS vanished`;
    expect(exists).toEqual({ users: null, vanished: null });
  });

  it('refuses to run when an applied migration was edited', async () => {
    const db = await freshDatabase();
    await migrate(db.sql, { logger });
    const dir = await migrationsCopy();
    await appendFile(path.join(dir, '0001_initial_schema.sql'), '\n-- edited later\n');
    await expect(migrate(db.sql, { logger, dir })).rejects.toThrow(MigrationError);
    await expect(migrate(db.sql, { logger, dir })).rejects.toThrow(
      /was changed after it was applied/,
    );
  });
});
