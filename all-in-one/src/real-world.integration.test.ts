import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Job,
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
  Video,
} from '@videoforge/contracts';
import { startAllInOne, type RunningAllInOne } from '../../test/support/all-in-one.ts';
import { call, tmpdir } from '../../test/support/api-app.ts';
import { describeWith } from '../../test/support/components.ts';
import { waitUntil } from '../../test/support/process.ts';
import {
  interlacedFrames,
  makeRealWorldClip,
  probeOutput,
  ssim,
  type RealWorldCase,
} from '../../test/support/real-world-media.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.ts': 'video/mp2t',
  '.mts': 'video/mp2t',
  '.avi': 'video/x-msvideo',
};

/**
 * The real-world matrix as a user meets it through `npm start`: upload, job, play. The
 * large interlaced sources ask for 360p only (the format picker allows it) so the
 * suite stays cheap; the tiny ones take the API's default, their own size.
 */
const CASES: Array<{ which: RealWorldCase; formats?: string[] }> = [
  { which: 'hdr10' },
  { which: 'hlg-rotated' },
  { which: 'interlaced-ts', formats: ['360p'] },
  { which: 'avchd', formats: ['360p'] },
  { which: 'tiny-240' },
  // The web's picker sends its lowest rendition for a tiny source; the API maps it.
  { which: 'tiny-120', formats: ['360p'] },
];

describeWith(['postgres', 'ffmpeg'], 'real-world media through the all-in-one (npm start)', () => {
  let app: RunningAllInOne;
  let dir: string;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-aio-real-world-'));
    app = await startAllInOne({ postgresUrl: inject('postgresUrl') });
    const registered = await call(app.baseUrl, 'POST', '/api/auth/register', {
      body: { username: 'mira', email: 'mira@example.com', password: 'Sup3r!secret' },
    });
    expect(registered.status).toBe(201);
    token = (registered.body as TokenResponse).accessToken;
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('hdr10 with the HDR option: the master playlist offers an HEVC PQ twin beside SDR', async () => {
    const clip = await makeRealWorldClip(dir, 'hdr10');
    const bytes = await readFile(clip.file);
    const created = await call(app.baseUrl, 'POST', '/api/uploads', {
      token,
      body: { filename: 'hdr.mp4', size: bytes.length, contentType: 'video/mp4', title: 'hdr' },
    });
    const upload = created.body as Extract<UploadCreateResponse, { mode: 'single' }>;
    expect((await fetch(upload.url, { method: 'PUT', body: bytes })).status).toBe(200);
    const completed = await call(app.baseUrl, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
      token,
      body: { hdr: true },
    });
    expect(completed.status, JSON.stringify(completed.body)).toBe(201);
    const { video, job } = completed.body as UploadCompleteResponse;
    let last: Job | undefined;
    await waitUntil(
      async () => {
        last = (await call(app.baseUrl, 'GET', `/api/jobs/${job.id}`, { token })).body as Job;
        return last.status === 'succeeded' || last.status === 'failed';
      },
      { timeoutMs: 180_000, intervalMs: 500, describe: () => app.output().slice(-3000) },
    );
    expect(last?.status, last?.errorMessage ?? '').toBe('succeeded');
    const [row] = await app.db.sql<{ hdr: boolean }[]>`SELECT hdr FROM jobs WHERE id = ${job.id}`;
    expect(row?.hdr).toBe(true);
    const master = await fetch(`${app.baseUrl}/api/stream/${video.id}/master.m3u8`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const masterText = await master.text();
    const playlist = HLS.parse(masterText) as HLS.types.MasterPlaylist;
    expect(
      playlist.variants.map((v) => [v.uri, v.videoRange, v.codecs?.split('.')[0]]),
      masterText,
    ).toEqual([
      ['360p/index.m3u8', 'SDR', 'avc1'],
      ['360p-hdr/index.m3u8', 'PQ', 'hvc1'],
    ]);
    // The HDR variant's media playlist is served like any rendition's, segments signed.
    const hdrUri = playlist.variants[1]?.uri ?? '';
    const variant = await fetch(new URL(hdrUri, `${app.baseUrl}/api/stream/${video.id}/`), {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(variant.status).toBe(200);
    expect((await variant.text()).split('\n').some((line) => line.startsWith('http'))).toBe(true);
  }, 240_000);

  for (const { which, formats } of CASES) {
    it(`${which}: upload → job → play, progressive BT.709 SDR, reported on the video`, async () => {
      const clip = await makeRealWorldClip(dir, which);
      const bytes = await readFile(clip.file);
      const filename = path.basename(clip.file);
      const contentType = CONTENT_TYPES[path.extname(filename)] ?? 'video/mp4';
      const created = await call(app.baseUrl, 'POST', '/api/uploads', {
        token,
        body: { filename, size: bytes.length, contentType, title: which },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const upload = created.body as Extract<UploadCreateResponse, { mode: 'single' }>;
      const put = await fetch(upload.url, {
        method: 'PUT',
        body: bytes,
        headers: { 'Content-Type': contentType },
      });
      expect(put.status).toBe(200);
      const completed = await call(
        app.baseUrl,
        'POST',
        `/api/uploads/${upload.uploadId}/complete`,
        {
          token,
          body: formats ? { formats } : {},
        },
      );
      expect(completed.status, JSON.stringify(completed.body)).toBe(201);
      const { video, job } = completed.body as UploadCompleteResponse;
      const { name, width, height } = clip.expect.lowest;
      // The API names a tiny source's rendition as the transcoder does.
      expect(job.formats).toEqual(formats && name === '360p' ? formats : [name]);

      let last: Job | undefined;
      await waitUntil(
        async () => {
          last = (await call(app.baseUrl, 'GET', `/api/jobs/${job.id}`, { token })).body as Job;
          return last.status === 'succeeded' || last.status === 'failed';
        },
        {
          timeoutMs: 180_000,
          intervalMs: 500,
          describe: () => `${JSON.stringify(last)}\n${app.output().slice(-3000)}`,
        },
      );
      expect(last?.status, `${last?.errorMessage}\n${app.output().slice(-2000)}`).toBe('succeeded');
      const renditions = last?.renditions ?? [];
      expect(renditions.map(({ name, phase, progress }) => ({ name, phase, progress }))).toEqual([
        { name, phase: 'succeeded', progress: 100 },
      ]);
      // Measured like with like: the reference goes through the same tone map, deinterlacer and scaler.
      expect(renditions[0]?.quality?.ssim).toBeGreaterThan(0.9);
      expect(renditions[0]?.quality?.ssim).toBeLessThanOrEqual(1);
      expect(renditions[0]?.quality?.psnrDb).toBeGreaterThan(25);

      const detail = (await call(app.baseUrl, 'GET', `/api/videos/${video.id}`, { token }))
        .body as Video;
      expect(detail).toMatchObject({
        status: 'ready',
        processing: {
          sourceDynamicRange: clip.expect.dynamicRange,
          toneMapped: clip.expect.dynamicRange !== 'SDR',
        },
      });
      expect(detail.processing?.deinterlaced).toBe(
        clip.expect.interlaced ? 'field-rate' : undefined,
      );

      const master = await fetch(`${app.baseUrl}/api/stream/${video.id}/master.m3u8`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(master.status).toBe(200);
      const playlist = HLS.parse(await master.text()) as HLS.types.MasterPlaylist;
      expect(playlist.variants.map((v) => [v.uri, v.resolution, v.videoRange])).toEqual([
        [`${name}/index.m3u8`, { width, height }, 'SDR'],
      ]);

      // The progressive MP4, read back over its signed URL as a player would.
      const downloads = (
        await call(app.baseUrl, 'GET', `/api/videos/${video.id}/downloads`, {
          token,
        })
      ).body as { items: Array<{ rendition: string; url: string }> };
      expect(downloads.items.map((item) => item.rendition)).toEqual([name]);
      const mp4 = path.join(dir, `${which}-out.mp4`);
      const response = await fetch(downloads.items[0]?.url ?? '');
      expect(response.status).toBe(200);
      await writeFile(mp4, Buffer.from(await response.arrayBuffer()));
      const output = await probeOutput(mp4);
      expect(output).toMatchObject({
        width,
        height,
        colour: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709' },
        frameRate: clip.expect.frameRate,
        fieldOrder: 'progressive',
        hasAudio: true,
      });
      expect(output.startSeconds).toBeLessThan(0.1);
      if (clip.expect.interlaced) {
        const idet = await interlacedFrames(mp4);
        expect(idet.interlaced).toBeLessThanOrEqual(Math.ceil(idet.progressive * 0.1));
      }
      if (clip.sdrOriginal) expect(await ssim(mp4, clip.sdrOriginal)).toBeGreaterThan(0.85);

      // The poster (found even when the source starts at 1–2 s), behind its signed redirect.
      const poster = await fetch(`${app.baseUrl}/api/stream/${video.id}/poster.jpg`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(poster.status).toBe(200);
      expect(poster.headers.get('content-type')).toBe('image/jpeg');
      expect((await poster.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }, 240_000);
  }
});
