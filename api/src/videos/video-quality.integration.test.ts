import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Job, TokenResponse, Video } from '@videoforge/contracts';
import { mirrorJobStatus } from '../../../controller/src/postgres/job-status.repository.ts';
import { call, registerAdmin, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';

const measured720p = { ssim: 0.9941, psnrDb: 44.62, sampledSeconds: 6 };

describeWith(['postgres'], 'a video’s measured rendition quality', () => {
  let api: TestApi;
  let alice: TokenResponse;

  /** A video with a job the controller has mirrored as running, then as succeeded. */
  async function transcodedVideo(
    renditions: {
      name: string;
      quality?: typeof measured720p;
      twins?: { variant: string; quality: typeof measured720p }[];
    }[],
  ): Promise<string> {
    const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height)
      VALUES (${alice.user.id}, 'measured', 'public', 'processing', ${`videos/raw/${alice.user.id}/x/a.mp4`}, 6, 1280, 720)
      RETURNING id`;
    const [job] = await api.db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
      VALUES (${alice.user.id}, ${video!.id}, 'running', 0, ${renditions.map((r) => r.name)}, 'k', '')
      RETURNING id`;
    const outputPrefix = `videos/output/${job!.id}/`;
    await api.db.sql`UPDATE jobs SET output_prefix = ${outputPrefix} WHERE id = ${job!.id}`;
    // What the controller writes from the TranscodeJob status (the same code path).
    await mirrorJobStatus(api.db.sql, {
      jobId: job!.id,
      videoId: video!.id,
      outputPrefix,
      status: {
        phase: 'Succeeded',
        progress: 100,
        renditions: renditions.map(({ name, quality, twins }) => ({
          name,
          phase: 'Succeeded' as const,
          ...(quality ? { quality } : {}),
          ...(twins ? { twins } : {}),
        })),
      },
    });
    return video!.id;
  }

  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
    alice = await registerAdmin(api, 'alice');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists each measured rendition’s SSIM and PSNR, leaving out those not measured', async () => {
    const id = await transcodedVideo([{ name: '720p', quality: measured720p }, { name: '360p' }]);
    const response = await call(api.base, 'GET', `/api/videos/${id}`);
    expect(response.status).toBe(200);
    const video = response.body as Video;
    expect(video.status).toBe('ready');
    expect(video.renditions).toEqual([{ name: '720p', quality: measured720p }]);
  });

  it('has no renditions field when nothing was measured', async () => {
    const id = await transcodedVideo([{ name: '360p' }]);
    const video = (await call(api.base, 'GET', `/api/videos/${id}`)).body as Video;
    expect(video.status).toBe('ready');
    expect(video).not.toHaveProperty('renditions');
  });

  it('lists each twin’s own figure under its rendition, in both routes and in media_assets', async () => {
    const twins = [
      { variant: '720p-av1', quality: { ssim: 0.9903, psnrDb: 42.14, sampledSeconds: 6 } },
      { variant: '720p-hdr', quality: { ssim: 0.9812, psnrDb: 47.21, sampledSeconds: 6 } },
    ];
    const id = await transcodedVideo([{ name: '720p', quality: measured720p, twins }]);
    const video = (await call(api.base, 'GET', `/api/videos/${id}`)).body as Video;
    expect(video.renditions).toEqual([{ name: '720p', quality: measured720p, twins }]);
    const [job] = await api.db.sql<{ id: string }[]>`SELECT id FROM jobs WHERE video_id = ${id}`;
    const rows = await api.db.sql<
      { rendition: string; variant: string; storage_key: string; ssim: number }[]
    >`SELECT rendition, variant, storage_key, ssim FROM media_assets
      WHERE job_id = ${job!.id} AND asset_type = 'rendition' ORDER BY variant`;
    const jobResponse = await call(api.base, 'GET', `/api/jobs/${job!.id}`, {
      token: alice.accessToken,
    });
    expect(jobResponse.status).toBe(200);
    expect((jobResponse.body as Job).renditions).toEqual([
      { name: '720p', phase: 'succeeded', progress: 100, quality: measured720p, twins },
    ]);
    // One row per variant; `rendition` stays the asked rendition (how "finished" is counted).
    expect(rows).toEqual([
      { rendition: '720p', variant: '720p', storage_key: `videos/output/${job!.id}/720p/index.m3u8`, ssim: measured720p.ssim },
      { rendition: '720p', variant: '720p-av1', storage_key: `videos/output/${job!.id}/720p-av1/index.m3u8`, ssim: 0.9903 },
      { rendition: '720p', variant: '720p-hdr', storage_key: `videos/output/${job!.id}/720p-hdr/index.m3u8`, ssim: 0.9812 },
    ]); // prettier-ignore
  });
});
