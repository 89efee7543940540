import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createLogger } from '@videoforge/platform/logging';
import {
  createLocalStorage,
  createLocalStorageHandler,
  type LocalStorage,
} from '@videoforge/platform/storage';
import { describeWith } from '../../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { insertTestJob, insertTestUser, waitForJobToFinish } from '../../../test/support/jobs.ts';
import { storeTestClip } from '../../../test/support/media.ts';
import { transcoderCommand } from '../../../test/support/transcode-cluster.ts';
import { startLocalController, type LocalController } from './local-transcode.controller.ts';

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
        transcoderCommand,
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
      userId = await insertTestUser(db.sql, 'ada');
    });
    afterAll(async () => {
      await controller?.stop();
      await new Promise((resolve) => server?.close(resolve));
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    /** A job as the API creates it, handed to the local controller directly (no outbox here). */
    async function submit(key: string, formats: string[]): Promise<string> {
      const jobId = await insertTestJob(db.sql, {
        userId,
        title: 'clip',
        sourceKey: key,
        formats,
        durationSeconds: null,
        outbox: false,
      });
      controller.enqueue(jobId);
      return jobId;
    }

    const finalState = (jobId: string) =>
      waitForJobToFinish(db.sql, jobId, { timeoutMs: 120_000, intervalMs: 250 });

    it('transcodes an uploaded clip into renditions, a master playlist and a poster', async () => {
      await storeTestClip(storage, 'videos/raw/1/a/clip.mp4', dir, {
        size: '640x360',
        seconds: 2,
        audio: true,
      });
      const jobId = await submit('videos/raw/1/a/clip.mp4', ['360p']);

      const row = await finalState(jobId);
      expect(row).toMatchObject({
        status: 'succeeded',
        video_status: 'ready',
        error_message: null,
      });
      expect(Number(row?.progress)).toBe(100);
      // The job row says what became of the audio/subtitle tracks' workload.
      const [tracks] = await db.sql`SELECT tracks FROM jobs WHERE id = ${jobId}`;
      expect(tracks).toEqual({ tracks: { phase: 'succeeded', attempts: 1 } });
      expect(await storage.head(`videos/output/${jobId}/tracks/tracks.json`)).toBeDefined();
      expect(await storage.head(`videos/output/${jobId}/master.m3u8`)).toBeDefined();
      expect(await storage.head(`videos/output/${jobId}/360p/index.m3u8`)).toBeDefined();
      const assets =
        await db.sql`SELECT rendition, storage_key FROM media_assets WHERE job_id = ${jobId}`;
      expect(assets).toEqual([
        { rendition: '360p', storage_key: `videos/output/${jobId}/360p/index.m3u8` },
      ]);
      // The rendition's measured quality (TRANSCODE_QUALITY_METRICS defaults to sampled),
      // mirrored into its asset row and the job's renditions, where GET /api/jobs reads it.
      const [measured] = await db.sql<
        { ssim: number; psnr_db: number; quality_sampled_seconds: number }[]
      >`SELECT ssim, psnr_db, quality_sampled_seconds FROM media_assets WHERE job_id = ${jobId}`;
      const [mirrored] = await db.sql`SELECT renditions FROM jobs WHERE id = ${jobId}`;
      expect(mirrored?.renditions).toEqual([
        expect.objectContaining({
          name: '360p',
          quality: { ssim: measured?.ssim, psnrDb: measured?.psnr_db, sampledSeconds: 2 },
        }),
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
      // strategy auto on one machine: the decode-once ladder refused it.
      expect(row?.error_message).toMatch(/job-\d+-ladder: unreadable/);
      expect((await storage.list(`videos/output/${jobId}/`)).objects).toEqual([]);
    });

    it('fails a job whose spec is invalid at once, as InvalidSpec, without starting anything', async () => {
      // A row no API would write, e.g. by hand: a format that is not a rendition name.
      const jobId = await submit('videos/raw/1/c/clip.mp4', ['huge']);
      const row = await finalState(jobId);
      expect(row).toMatchObject({ status: 'failed' });
      expect(row?.error_message).toMatch(/renditions\.0\.name: must look like 720p/);
      expect((await storage.list(`videos/output/${jobId}/`)).objects).toEqual([]);
    });
  },
);
