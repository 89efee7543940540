import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Job,
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
} from '@videoforge/contracts';
import { startAllInOne, type RunningAllInOne } from '../../test/support/all-in-one.ts';
import { call, generateClip, tmpdir } from '../../test/support/api-app.ts';
import { describeWith } from '../../test/support/components.ts';
import { waitUntil } from '../../test/support/process.ts';
import { serverSentEvents } from '../../test/support/server-sent-events.ts';

/** Reads server-sent events until `until` accepts one, or the time runs out. */
async function readEvents(
  url: string,
  token: string,
  until: (event: { event: string; data: unknown }) => boolean,
  timeoutMs: number,
): Promise<Array<{ event: string; data: unknown }>> {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const seen: Array<{ event: string; data: unknown }> = [];
  for await (const parsed of serverSentEvents(response.body as AsyncIterable<Uint8Array>)) {
    seen.push(parsed);
    if (until(parsed)) return seen;
  }
  return seen;
}

async function register(baseUrl: string, username: string): Promise<string> {
  const registered = await call(baseUrl, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.com`, password: 'Sup3r!secret' },
  });
  expect(registered.status).toBe(201);
  return (registered.body as TokenResponse).accessToken;
}

/** Creates a single-PUT upload, sends the bytes; completing is left to the caller. */
async function uploadClip(baseUrl: string, token: string, clip: Buffer): Promise<string> {
  const created = await call(baseUrl, 'POST', '/api/uploads', {
    token,
    body: {
      filename: 'clip.mp4',
      size: clip.length,
      contentType: 'video/mp4',
      title: 'Test pattern',
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const upload = created.body as Extract<UploadCreateResponse, { mode: 'single' }>;
  expect(upload.mode).toBe('single');
  const put = await fetch(upload.url, {
    method: 'PUT',
    body: clip,
    headers: { 'Content-Type': 'video/mp4' },
  });
  expect(put.status).toBe(200);
  return upload.uploadId;
}

async function complete(
  baseUrl: string,
  token: string,
  uploadId: string,
): Promise<UploadCompleteResponse> {
  const completed = await call(baseUrl, 'POST', `/api/uploads/${uploadId}/complete`, {
    token,
    body: {},
  });
  expect(completed.status, JSON.stringify(completed.body)).toBe(201);
  return completed.body as UploadCompleteResponse;
}

describeWith(['postgres', 'ffmpeg'], 'all-in-one (npm start)', () => {
  let app: RunningAllInOne;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-aio-test-'));
    // A stand-in build of the web app: what matters here is how it is served.
    const web = path.join(dir, 'web');
    await mkdir(path.join(web, 'assets'), { recursive: true });
    await writeFile(
      path.join(web, 'index.html'),
      '<!doctype html><title>VideoForge</title><div id="root"></div>',
    );
    await writeFile(path.join(web, 'assets', 'app-1a2b3c.js'), 'console.log("hi")');
    app = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: web });
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the web app at /, its client-side routes, and the API beside it', async () => {
    const index = await fetch(`${app.baseUrl}/`, { headers: { Accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<div id="root">');

    const route = await fetch(`${app.baseUrl}/videos/42`, { headers: { Accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');

    const asset = await fetch(`${app.baseUrl}/assets/app-1a2b3c.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    const unknownApi = await call(app.baseUrl, 'GET', '/api/nothing-here', {
      headers: { Accept: 'text/html' },
    });
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.body).toMatchObject({ error: { code: 'not_found' } });
    expect((await call(app.baseUrl, 'GET', '/readyz')).status).toBe(200);
  });

  it('takes an upload to a playable, streamed video, with live progress, in one process', async () => {
    const clip = await readFile(await generateClip(dir, { seconds: 4, size: '854x480' }));
    const accessToken = await register(app.baseUrl, 'ada');
    const uploadId = await uploadClip(app.baseUrl, accessToken, clip);

    // Listen before completing, so no event can be missed.
    const events = readEvents(
      `${app.baseUrl}/api/events`,
      accessToken,
      (e) => e.event === 'job' && (e.data as { status: string }).status === 'succeeded',
      180_000,
    );
    const { video, job } = await complete(app.baseUrl, accessToken, uploadId);
    expect(job.formats).toEqual(['480p', '360p']);

    const seen = (await events).filter((e) => e.event === 'job').map((e) => e.data as Job);
    expect(seen.at(-1)).toMatchObject({ jobId: job.id, status: 'succeeded', progress: 100 });
    // Progress arrived while it ran, not only at the end.
    expect(seen.some((e) => e.status === 'running')).toBe(true);

    const finished = await call(app.baseUrl, 'GET', `/api/jobs/${job.id}`, { token: accessToken });
    const renditions = (finished.body as Job).renditions ?? [];
    expect(renditions.map(({ name, phase, progress }) => ({ name, phase, progress }))).toEqual([
      { name: '480p', phase: 'succeeded', progress: 100 },
      { name: '360p', phase: 'succeeded', progress: 100 },
    ]);
    // What the user is told of the picture they got: SSIM and PSNR against the source.
    for (const { quality } of renditions) {
      expect(quality?.ssim).toBeGreaterThan(0.9);
      expect(quality?.ssim).toBeLessThanOrEqual(1);
      expect(quality?.psnrDb).toBeGreaterThan(25);
      expect(quality?.sampledSeconds).toBeGreaterThan(0);
    }
    const detail = await call(app.baseUrl, 'GET', `/api/videos/${video.id}`, {
      token: accessToken,
    });
    expect(detail.body).toMatchObject({ status: 'ready' });

    const master = await fetch(`${app.baseUrl}/api/stream/${video.id}/master.m3u8`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(master.status).toBe(200);
    const masterText = await master.text();
    expect(masterText).toContain('RESOLUTION=854x480');
    const variantUri = masterText.split('\n').find((line) => line.includes('480p/'));
    expect(variantUri).toBeDefined();
    const variant = await fetch(
      new URL(variantUri ?? '', `${app.baseUrl}/api/stream/${video.id}/`),
    );
    expect(variant.status).toBe(200);
    const segment = (await variant.text()).split('\n').find((line) => line.startsWith('http'));
    expect(segment).toBeDefined();
    const media = await fetch(segment ?? '');
    expect(media.status).toBe(200);
    expect((await media.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  }, 240_000);

  it('drill: killed mid-transcode and started again, it finishes the job with nothing lost or doubled', async () => {
    const clip = await readFile(await generateClip(dir, { seconds: 20, size: '1280x720' }));
    const token = await register(app.baseUrl, 'grace');
    const { job, video } = await complete(
      app.baseUrl,
      token,
      await uploadClip(app.baseUrl, token, clip),
    );
    expect(job.formats).toEqual(['720p', '480p', '360p']);

    const state = async () =>
      (await call(app.baseUrl, 'GET', `/api/jobs/${job.id}`, { token })).body as Job;
    let last: Job | undefined;
    await waitUntil(
      async () =>
        (last = await state()).renditions.some((r) => r.phase === 'running' && r.progress > 0),
      {
        timeoutMs: 60_000,
        describe: () => `${JSON.stringify(last)}\n${app.output().slice(-3000)}`,
      },
    );
    await app.restart('SIGKILL');

    await waitUntil(async () => (last = await state()).status === 'succeeded', {
      timeoutMs: 180_000,
      intervalMs: 500,
      describe: () => `${JSON.stringify(last)}\n${app.output().slice(-3000)}`,
    });
    const assets = await app.db.sql<{ rendition: string; copies: number }[]>`
      SELECT rendition, count(*)::int AS copies FROM media_assets
      WHERE job_id = ${job.id} AND asset_type = 'rendition' GROUP BY rendition ORDER BY rendition`;
    expect(assets).toEqual([
      { rendition: '360p', copies: 1 },
      { rendition: '480p', copies: 1 },
      { rendition: '720p', copies: 1 },
    ]);
    const master = await fetch(`${app.baseUrl}/api/stream/${video.id}/master.m3u8`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect((await master.text()).match(/^#EXT-X-STREAM-INF/gm)).toHaveLength(3);
  }, 300_000);
});
