import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  connectDatabase,
  migrate,
  startEmbeddedPostgres,
  type RunningPostgres,
  type Sql,
} from '@videoforge/platform/database';
import { createLogger } from '@videoforge/platform/logging';
import { createLocalStorage } from '@videoforge/platform/storage';
import { describeWith } from '../../../test/support/components.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { waitUntil } from '../../../test/support/process.ts';
import { startLocalController, type LocalController } from './local-transcode.controller.ts';

const logger = createLogger({ service: 'pg-restart-drill', level: 'silent' });

// A PostgreSQL of its own, so restarting it disturbs no other suite.
describeWith(['postgres'], 'drill: PostgreSQL restarted mid-job (all-in-one)', () => {
  let dir: string;
  let port: number;
  let pg: RunningPostgres;
  let sql: Sql;
  let controller: LocalController;

  const startPg = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, logger });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-pg-restart-'));
    port = await freePort();
    pg = await startPg();
    sql = connectDatabase({ url: pg.url, max: 4, logger });
    await migrate(sql, { logger });
    controller = startLocalController({
      sql,
      storage: createLocalStorage({
        rootDir: path.join(dir, 'storage'),
        publicBaseUrl: 'http://127.0.0.1:1/api/storage',
        signingSecret: 'x'.repeat(32),
      }),
      logger,
      // Stands in for the transcoder: a few seconds of "work", then success.
      transcoderCommand: ['sh', '-c', '[ "$0" = finalize ] || sleep 4; exit 0'],
      transcoderEnv: { PATH: process.env.PATH ?? '' },
      maxConcurrent: 2,
      resyncMs: 60_000,
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await sql?.end({ timeout: 1 });
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes the job and records it once the database is back', async () => {
    const [user] = await sql<
      { id: string }[]
    >`INSERT INTO users (username, email) VALUES ('lin', 'lin@example.com') RETURNING id`;
    const [video] = await sql<
      { id: string }[]
    >`INSERT INTO gallery_videos (user_id, title, source_key) VALUES (${user?.id ?? ''}, 'v', 'videos/raw/1/x/v.mp4') RETURNING id`;
    const [job] = await sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix)
      VALUES (${user?.id ?? ''}, ${video?.id ?? ''}, ${['480p', '360p']}, 'videos/raw/1/x/v.mp4', 'videos/output/1/') RETURNING id`;
    const jobId = job?.id ?? '';
    controller.enqueue(jobId);
    await waitUntil(
      async () =>
        (await sql`SELECT 1 FROM jobs WHERE id = ${jobId} AND status = 'running'`).length === 1,
      {
        timeoutMs: 20_000,
        describe: () => 'job never started running',
      },
    );

    await pg.stop(); // the workloads keep running; status writes fail and back off
    await new Promise((resolve) => setTimeout(resolve, 5000));
    pg = await startPg();

    let row: { status: string; progress: string } | undefined;
    await waitUntil(
      async () => {
        [row] = await sql<
          NonNullable<typeof row>[]
        >`SELECT status, progress FROM jobs WHERE id = ${jobId}`;
        return row?.status === 'succeeded';
      },
      { timeoutMs: 90_000, intervalMs: 500, describe: () => JSON.stringify(row) },
    );
    expect(Number(row?.progress)).toBe(100);
    expect(await sql`SELECT status FROM gallery_videos WHERE id = ${video?.id ?? ''}`).toEqual([
      { status: 'ready' },
    ]);
  });
});
