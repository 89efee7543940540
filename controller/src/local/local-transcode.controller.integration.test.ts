import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createLogger } from '@videoforge/platform/logging';
import {
  createLocalStorage,
  createLocalStorageHandler,
  type LocalStorage,
} from '@videoforge/platform/storage';
import { describeWith } from '../../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { waitUntil } from '../../../test/support/process.ts';
import { startLocalController, type LocalController } from './local-transcode.controller.ts';

const run = promisify(execFile);
const transcoderMain = fileURLToPath(new URL('../../../transcoder/src/main.ts', import.meta.url));
const SECRET = 'local-controller-test-secret-0123456789';

describeWith(
  ['postgres', 'ffmpeg'],
  'all-in-one: the local controller runs the real transcoder',
  () => {
    let db: TestDatabase;
    let dir: string;
    let server: Server;
    let storage: LocalStorage;
    let controller: LocalController;
    let userId: string;

    beforeAll(async () => {
      db = await createTestDatabase(inject('postgresUrl'));
      dir = await mkdtemp(path.join(tmpdir(), 'vf-local-'));
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        void createLocalStorageHandler(storage)(
          req,
          res,
          url.pathname.replace(/^\/api\/storage\//, ''),
          url.searchParams,
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const publicBaseUrl = `http://127.0.0.1:${port}`;
      storage = createLocalStorage({
        rootDir: path.join(dir, 'storage'),
        publicBaseUrl: `${publicBaseUrl}/api/storage`,
        signingSecret: SECRET,
      });
      controller = startLocalController({
        sql: db.sql,
        storage,
        logger: createLogger({ service: 'local-controller-test', level: 'warn' }),
        transcoderCommand: [process.execPath, transcoderMain],
        transcoderEnv: {
          PATH: process.env.PATH ?? '',
          STORAGE_DRIVER: 'local',
          LOCAL_STORAGE_DIR: path.join(dir, 'storage'),
          STORAGE_SIGNING_SECRET: SECRET,
          PUBLIC_BASE_URL: publicBaseUrl,
          TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
          TRANSCODE_PRESET: 'ultrafast',
          TRANSCODE_WORK_DIR: dir,
          LOG_LEVEL: 'warn',
        },
        maxConcurrent: 2,
        retryDelayMs: 100,
        resyncMs: 60_000,
      });
      const [user] = await db.sql<{ id: string }[]>`
      INSERT INTO users (username, email, password_hash) VALUES ('ada', 'ada@example.com', 'x') RETURNING id`;
      userId = user?.id ?? '';
    });
    afterAll(async () => {
      await controller?.stop();
      await new Promise((resolve) => server?.close(resolve));
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    async function submit(key: string, formats: string[]): Promise<string> {
      const [video] = await db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, source_key) VALUES (${userId}, 'clip', ${key}) RETURNING id`;
      const [job] = await db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix)
      VALUES (${userId}, ${video?.id ?? ''}, ${formats}, ${key}, 'videos/output/pending/') RETURNING id`;
      const jobId = job?.id ?? '';
      await db.sql`UPDATE jobs SET output_prefix = ${`videos/output/${jobId}/`} WHERE id = ${jobId}`;
      controller.enqueue(jobId);
      return jobId;
    }

    async function finalState(jobId: string) {
      let row:
        | { status: string; progress: string; error_message: string | null; video_status: string }
        | undefined;
      await waitUntil(
        async () => {
          [row] = await db.sql<NonNullable<typeof row>[]>`
          SELECT j.status, j.progress, j.error_message, v.status AS video_status
          FROM jobs j JOIN gallery_videos v ON v.id = j.video_id WHERE j.id = ${jobId}`;
          return row?.status === 'succeeded' || row?.status === 'failed';
        },
        { timeoutMs: 120_000, intervalMs: 250, describe: () => JSON.stringify(row) },
      );
      return row;
    }

    it('transcodes an uploaded clip into renditions, a master playlist and a poster', async () => {
      const clip = path.join(dir, 'clip.mp4');
      await run('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=25',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440',
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-c:a',
        'aac',
        '-shortest',
        clip,
      ]);
      await storage.put('videos/raw/1/a/clip.mp4', await readFile(clip), {
        contentType: 'video/mp4',
      });
      const jobId = await submit('videos/raw/1/a/clip.mp4', ['360p']);

      const row = await finalState(jobId);
      expect(row).toMatchObject({
        status: 'succeeded',
        video_status: 'ready',
        error_message: null,
      });
      expect(Number(row?.progress)).toBe(100);
      expect(await storage.head(`videos/output/${jobId}/master.m3u8`)).toBeDefined();
      expect(await storage.head(`videos/output/${jobId}/360p/index.m3u8`)).toBeDefined();
      const assets =
        await db.sql`SELECT rendition, storage_key FROM media_assets WHERE job_id = ${jobId}`;
      expect(assets).toEqual([
        { rendition: '360p', storage_key: `videos/output/${jobId}/360p/index.m3u8` },
      ]);
      const [video] =
        await db.sql`SELECT master_playlist_key, thumbnail_key FROM gallery_videos v JOIN jobs j ON j.video_id = v.id WHERE j.id = ${jobId}`;
      expect(video).toEqual({
        master_playlist_key: `videos/output/${jobId}/master.m3u8`,
        thumbnail_key: `videos/output/${jobId}/poster.jpg`,
      });
    });

    it('fails a job whose source is not a video, once, with the reason', async () => {
      await storage.put('videos/raw/1/b/notes.mp4', 'this is a text file, not a video\n', {
        contentType: 'video/mp4',
      });
      const jobId = await submit('videos/raw/1/b/notes.mp4', ['360p']);
      const row = await finalState(jobId);
      expect(row).toMatchObject({ status: 'failed', video_status: 'failed' });
      expect(row?.error_message).toMatch(/job-\d+-360p/);
      expect((await storage.list(`videos/output/${jobId}/`)).objects).toEqual([]);
    });
  },
);
