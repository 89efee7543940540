import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Job,
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
  Video,
  VideoPage,
} from '@videoforge/contracts';
import {
  call,
  generateClip,
  registerAdmin,
  startTestApi,
  tmpdir,
  writeTextFile,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { createLogger } from '@videoforge/platform/logging';
import { sweepExpiredUploads } from './upload-sweeper.ts';

async function register(api: TestApi, username: string): Promise<TokenResponse> {
  const response = await call(api.base, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.com`, password: 'Sup3r!secret' },
  });
  expect(response.status).toBe(201);
  return response.body as TokenResponse;
}

/** A single-PUT upload of `bytes` as `filename`: created, and its bytes sent, not yet completed. */
async function sendSingleUpload(
  api: TestApi,
  token: string,
  filename: string,
  bytes: Buffer,
): Promise<Extract<UploadCreateResponse, { mode: 'single' }>> {
  const created = (
    await call(api.base, 'POST', '/api/uploads', {
      token,
      body: { filename, size: bytes.length, contentType: 'video/mp4' },
    })
  ).body as Extract<UploadCreateResponse, { mode: 'single' }>;
  await putBytes(created.url, bytes, 'video/mp4');
  return created;
}

async function putBytes(url: string, bytes: Buffer, contentType?: string): Promise<string> {
  const response = await fetch(url, {
    method: 'PUT',
    body: bytes,
    headers: contentType ? { 'Content-Type': contentType } : {},
  });
  expect(response.status).toBe(200);
  return response.headers.get('etag') ?? '';
}

describeWith(['postgres', 's3', 'ffmpeg'], 'uploads on S3: the whole flow', () => {
  let api: TestApi;
  let dir: string;
  let clip: Buffer;
  let alice: TokenResponse;
  let bob: TokenResponse;

  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 's3', endpoint: inject('awsEndpoint') },
    });
    dir = await mkdtemp(path.join(tmpdir(), 'vf-upload-'));
    clip = await readFile(await generateClip(dir, { seconds: 2, size: '320x240' }));
    alice = await registerAdmin(api, 'alice');
    bob = await register(api, 'bob');
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('register → multipart upload → complete → job and outbox → list, search, update, delete', async () => {
    const created = await call(api.base, 'POST', '/api/uploads', {
      token: alice.accessToken,
      body: {
        filename: '../Cat video.mp4',
        size: clip.length,
        contentType: 'video/mp4',
        multipart: true,
        title: 'Cats at play',
        description: 'two cats',
      },
    });
    expect(created.status).toBe(201);
    const upload = created.body as Extract<UploadCreateResponse, { mode: 'multipart' }>;
    expect(upload.mode).toBe('multipart');
    expect(upload.key).toMatch(
      new RegExp(`^videos/raw/${alice.user.id}/${upload.uploadId}/Cat_video\\.mp4$`),
    );
    expect(upload.parts).toHaveLength(1);

    const parts = [];
    for (const part of upload.parts) {
      const bytes = clip.subarray(
        (part.partNumber - 1) * upload.partSize,
        part.partNumber * upload.partSize,
      );
      parts.push({ partNumber: part.partNumber, etag: await putBytes(part.url, bytes) });
    }
    // Someone else cannot complete it: the upload does not exist for them.
    expect(
      (
        await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
          token: bob.accessToken,
          body: { parts },
        })
      ).status,
    ).toBe(404);

    const completed = await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
      token: alice.accessToken,
      body: { parts },
    });
    expect(completed.status, JSON.stringify(completed.body)).toBe(201);
    const { video, job } = completed.body as UploadCompleteResponse;
    expect(video).toMatchObject({
      title: 'Cats at play',
      status: 'processing',
      width: 320,
      height: 240,
      videoCodec: 'h264',
      audioCodec: 'aac',
      ownerName: 'alice',
    });
    expect(video.durationSeconds).toBeCloseTo(2, 0);
    expect(video.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // Below the lowest rendition: one rendition at the source's own size, named as the transcoder names it.
    expect(job).toMatchObject({ videoId: video.id, status: 'pending', formats: ['240p'] });

    const [jobRow] = await api.db.sql<
      { output_prefix: string; input_key: string }[]
    >`SELECT output_prefix, input_key FROM jobs WHERE id = ${job.id}`;
    expect(jobRow).toEqual({ output_prefix: `videos/output/${job.id}/`, input_key: upload.key });
    const outbox = await api.db.sql<
      { topic: string; payload: unknown }[]
    >`SELECT topic, payload FROM outbox`;
    expect(outbox).toEqual([{ topic: 'transcode', payload: { jobId: job.id } }]);

    // Completing twice is refused.
    expect(
      (
        await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
          token: alice.accessToken,
          body: { parts },
        })
      ).status,
    ).toBe(409);

    const list = (await call(api.base, 'GET', '/api/videos')).body as VideoPage;
    expect(list.items.map((v) => v.id)).toEqual([video.id]);
    const search = (await call(api.base, 'GET', '/api/videos?q=cats')).body as VideoPage;
    expect(search.total).toBe(1);
    expect(((await call(api.base, 'GET', '/api/videos?q=dogs')).body as VideoPage).total).toBe(0);
    expect(
      ((await call(api.base, 'GET', '/api/videos?minResolution=720')).body as VideoPage).total,
    ).toBe(0);
    expect(
      (
        (
          await call(
            api.base,
            'GET',
            '/api/videos?maxDuration=10&minResolution=240&sort=duration&order=asc',
          )
        ).body as VideoPage
      ).total,
    ).toBe(1);

    const updated = await call(api.base, 'PATCH', `/api/videos/${video.id}`, {
      token: alice.accessToken,
      body: { title: 'Dogs, really', visibility: 'private' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ title: 'Dogs, really', visibility: 'private' });
    expect(((await call(api.base, 'GET', '/api/videos')).body as VideoPage).total).toBe(0);
    expect(
      (
        (await call(api.base, 'GET', '/api/videos/mine', { token: alice.accessToken }))
          .body as VideoPage
      ).items[0]?.title,
    ).toBe('Dogs, really');
    expect(
      (await call(api.base, 'GET', `/api/videos/${video.id}`, { token: bob.accessToken })).status,
    ).toBe(404);
    expect(
      (await call(api.base, 'GET', '/api/videos?scope=all', { token: bob.accessToken })).status,
    ).toBe(403);
    // Every video is for admins only: anonymous callers are refused too, and the scope is checked.
    const anonymousAll = await call(api.base, 'GET', '/api/videos?scope=all');
    expect(anonymousAll.status).toBe(403);
    expect(anonymousAll.body).toMatchObject({ error: { code: 'forbidden' } });
    expect(
      (await call(api.base, 'GET', '/api/videos?scope=everything', { token: alice.accessToken }))
        .status,
    ).toBe(400);
    expect(
      (
        (
          await call(
            api.base,
            'GET',
            '/api/videos?scope=all&maxResolution=720&uploadedBefore=2999-01-01T00:00:00.000Z',
            { token: alice.accessToken },
          )
        ).body as VideoPage
      ).items.map((v) => v.visibility),
    ).toEqual(['private']);
    expect(
      (
        (await call(api.base, 'GET', '/api/videos?scope=all', { token: alice.accessToken }))
          .body as VideoPage
      ).total,
    ).toBe(1);
    expect(
      (
        await call(api.base, 'PATCH', `/api/videos/${video.id}`, {
          token: bob.accessToken,
          body: { title: 'mine now' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(api.base, 'DELETE', `/api/videos/${video.id}`, { token: bob.accessToken }))
        .status,
    ).toBe(404);

    // Pretend the transcoder wrote outputs; delete must remove them with the source.
    await api.storage.put(`videos/output/${job.id}/360p/index.m3u8`, '#EXTM3U\n');
    const deleted = await call(api.base, 'DELETE', `/api/videos/${video.id}`, {
      token: alice.accessToken,
    });
    expect(deleted.status).toBe(204);
    expect((await api.storage.list(`videos/raw/${alice.user.id}/`)).objects).toEqual([]);
    expect((await api.storage.list(`videos/output/${job.id}/`)).objects).toEqual([]);
    expect(await api.db.sql`SELECT id FROM gallery_videos`).toHaveLength(0);
    expect(await api.db.sql`SELECT id FROM jobs`).toHaveLength(0);
  });

  it('refuses a text file renamed .mp4 and removes it from storage', async () => {
    const text = await readFile(
      await writeTextFile(dir, 'notes.mp4', 'these are not moving pictures\n'.repeat(50)),
    );
    const created = await sendSingleUpload(api, bob.accessToken, 'notes.mp4', text);
    expect(created.mode).toBe('single');
    expect(await api.storage.head(created.key)).toBeDefined();

    const outboxBefore = (await api.db.sql`SELECT id FROM outbox`).length;
    const completed = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token: bob.accessToken,
      body: {},
    });
    expect(completed.status).toBe(422);
    expect(completed.body).toMatchObject({
      error: { code: 'not_a_video', details: { reason: 'unreadable' } },
    });
    expect(await api.storage.head(created.key)).toBeUndefined();
    expect(
      await api.db.sql`SELECT id FROM gallery_videos WHERE user_id = ${bob.user.id}`,
    ).toHaveLength(0);
    expect(await api.db.sql`SELECT id FROM outbox`).toHaveLength(outboxBefore);
  });

  it('refuses bad upload requests and leaves nothing stored', async () => {
    const bad = [
      { filename: 'x.txt', size: 10, contentType: 'text/plain' },
      { filename: 'x.mp4', size: 0, contentType: 'video/mp4' },
      { filename: 'x.mp4', size: 10, contentType: 'video/mp4', owner: 'admin' },
    ];
    for (const body of bad) {
      const response = await call(api.base, 'POST', '/api/uploads', {
        token: bob.accessToken,
        body,
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const huge = await call(api.base, 'POST', '/api/uploads', {
      token: bob.accessToken,
      body: { filename: 'x.mp4', size: 10 ** 12, contentType: 'video/mp4' },
    });
    expect(huge.status).toBe(413);
    expect(
      (
        await call(api.base, 'POST', '/api/uploads/not-a-uuid/complete', {
          token: bob.accessToken,
          body: {},
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(api.base, 'POST', '/api/uploads', {
          body: { filename: 'x.mp4', size: 10, contentType: 'video/mp4' },
        })
      ).status,
    ).toBe(401);
    expect((await api.storage.list(`videos/raw/${bob.user.id}/`)).objects).toEqual([]);
  });

  it('aborts a multipart upload and completes nothing afterwards', async () => {
    const created = (
      await call(api.base, 'POST', '/api/uploads', {
        token: bob.accessToken,
        body: { filename: 'big.mp4', size: 12 * 1024 * 1024, contentType: 'video/mp4' },
      })
    ).body as Extract<UploadCreateResponse, { mode: 'multipart' }>;
    expect(created.mode).toBe('multipart');
    expect(created.parts).toHaveLength(3);
    expect(
      (
        await call(api.base, 'DELETE', `/api/uploads/${created.uploadId}`, {
          token: bob.accessToken,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
          token: bob.accessToken,
          body: { parts: [{ partNumber: 1, etag: 'x' }] },
        })
      ).status,
    ).toBe(409);
    expect(await api.storage.head(created.key)).toBeUndefined();
  });

  it('sweeps expired, unfinished uploads and their bytes', async () => {
    const created = await sendSingleUpload(api, bob.accessToken, 'left.mp4', clip);
    const deps = {
      sql: api.db.sql,
      storage: api.storage,
      logger: createLogger({ service: 'test', level: 'silent' }),
    };
    expect(await sweepExpiredUploads(deps)).toBe(0);
    await api.db
      .sql`UPDATE uploads SET expires_at = now() - interval '1 minute' WHERE id = ${created.uploadId}`;
    expect(await sweepExpiredUploads(deps)).toBe(1);
    expect(await api.storage.head(created.key)).toBeUndefined();
    const [row] = await api.db.sql<
      { status: string }[]
    >`SELECT status FROM uploads WHERE id = ${created.uploadId}`;
    expect(row?.status).toBe('aborted');
  });

  it('creates, lists, gets, cancels and retries jobs; refuses unknown formats', async () => {
    const created = await sendSingleUpload(api, bob.accessToken, 'b.mp4', clip);
    const done = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token: bob.accessToken,
      body: { formats: ['720p', '360p'] },
    });
    expect(done.status).toBe(201);
    const { video, job } = done.body as { video: Video; job: Job };
    // A 320×240 source can only get its own size, whatever was picked.
    expect(job.renditions.map((r) => r.name)).toEqual(['240p']);

    expect(
      (
        await call(api.base, 'POST', '/api/jobs', {
          token: bob.accessToken,
          body: { videoId: video.id, formats: ['999p'] },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(api.base, 'POST', '/api/jobs', {
          token: bob.accessToken,
          body: { videoId: video.id, formats: ['480p'] },
        })
      ).status,
    ).toBe(409);
    const eve = await register(api, 'eve');
    expect(
      (
        await call(api.base, 'POST', '/api/jobs', {
          token: eve.accessToken,
          body: { videoId: video.id, formats: ['480p'] },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(api.base, 'GET', `/api/jobs/${job.id}`, { token: eve.accessToken })).status,
    ).toBe(404);
    expect(
      (await call(api.base, 'POST', `/api/jobs/${job.id}/cancel`, { token: eve.accessToken }))
        .status,
    ).toBe(404);
    expect((await call(api.base, 'GET', '/api/jobs/abc', { token: bob.accessToken })).status).toBe(
      400,
    );

    const cancelled = await call(api.base, 'POST', `/api/jobs/${job.id}/cancel`, {
      token: bob.accessToken,
    });
    expect(cancelled.body).toMatchObject({ id: job.id, status: 'cancelled' });
    expect(
      (await call(api.base, 'POST', `/api/jobs/${job.id}/cancel`, { token: bob.accessToken }))
        .status,
    ).toBe(409);
    const retried = await call(api.base, 'POST', `/api/jobs/${job.id}/retry`, {
      token: bob.accessToken,
    });
    expect(retried.status).toBe(201);
    const retry = retried.body as Job;
    expect(retry).toMatchObject({
      videoId: video.id,
      status: 'pending',
      formats: ['240p'],
    });
    expect(retry.id).not.toBe(job.id);

    const again = await call(api.base, 'POST', '/api/jobs', {
      token: bob.accessToken,
      body: { videoId: video.id, formats: ['480p'] },
    });
    expect(again.status).toBe(409);
    await call(api.base, 'POST', `/api/jobs/${retry.id}/cancel`, { token: bob.accessToken });
    const fresh = await call(api.base, 'POST', '/api/jobs', {
      token: bob.accessToken,
      body: { videoId: video.id, formats: ['480p'] },
    });
    expect(fresh.status).toBe(201);

    const list = (
      await call(api.base, 'GET', '/api/jobs?status=cancelled', { token: bob.accessToken })
    ).body as { items: Job[]; total: number };
    expect(list.items.map((j) => j.id).sort()).toEqual([job.id, retry.id].sort());
    expect(
      (await call(api.base, 'GET', '/api/jobs?scope=all', { token: bob.accessToken })).status,
    ).toBe(403);
    // alice registered with the setup token, so she is the admin and sees everything.
    expect(
      (
        (await call(api.base, 'GET', '/api/jobs?scope=all', { token: alice.accessToken })).body as {
          total: number;
        }
      ).total,
    ).toBeGreaterThanOrEqual(3);
    const outbox = await api.db.sql`SELECT payload FROM outbox`;
    expect(outbox.length).toBeGreaterThanOrEqual(3);
  });
});

describeWith(['postgres', 'ffmpeg'], 'uploads on local storage', () => {
  let api: TestApi;
  let dir: string;

  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
    dir = await mkdtemp(path.join(tmpdir(), 'vf-upload-local-'));
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a playlist renamed .mp4 without fetching what it points at', async () => {
    let hits = 0;
    const internal = createServer((_req, res) => {
      hits++;
      res.end('secret');
    });
    internal.listen(0, '127.0.0.1');
    await once(internal, 'listening');
    try {
      const target = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
      const playlist = Buffer.from(
        `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${target}/seg.ts\n#EXT-X-ENDLIST\n`,
      );
      const user = await register(api, 'mallory');
      const created = await sendSingleUpload(api, user.accessToken, 'innocent.mp4', playlist);
      const done = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
        token: user.accessToken,
        body: {},
      });
      expect(done.status).toBe(422);
      expect(hits).toBe(0);
      expect(await api.storage.head(created.key)).toBeUndefined();
    } finally {
      internal.close();
    }
  });

  it('takes a single presigned PUT, probes it over a signed URL and queues the job', async () => {
    const clip = await readFile(await generateClip(dir, { seconds: 1, size: '640x360' }));
    const user = await register(api, 'carol');
    const created = await sendSingleUpload(api, user.accessToken, 'local.mp4', clip);
    expect(created.url.startsWith(`${api.base}/api/storage/`)).toBe(true);
    const done = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token: user.accessToken,
      body: {},
    });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body).toMatchObject({
      video: { width: 640, height: 360 },
      job: { formats: ['360p'] },
    });
  });

  it('stores the codec families a complete or a job asks for, and keeps them on retry', async () => {
    const clip = await readFile(await generateClip(dir, { seconds: 1, size: '640x360' }));
    const user = await register(api, 'dave');
    const created = await sendSingleUpload(api, user.accessToken, 'families.mp4', clip);
    const refused = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token: user.accessToken,
      body: { codecs: ['av1'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'validation_failed' } });
    const done = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token: user.accessToken,
      body: { codecs: ['h264', 'av1'] },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    const { video, job } = done.body as { video: Video; job: Job };
    const codecsOf = async (id: string) =>
      (await api.db.sql<{ codecs: string[] | null }[]>`SELECT codecs FROM jobs WHERE id = ${id}`)[0]
        ?.codecs;
    expect(await codecsOf(job.id)).toEqual(['h264', 'av1']);

    await call(api.base, 'POST', `/api/jobs/${job.id}/cancel`, { token: user.accessToken });
    const retried = await call(api.base, 'POST', `/api/jobs/${job.id}/retry`, {
      token: user.accessToken,
    });
    expect(await codecsOf((retried.body as Job).id)).toEqual(['h264', 'av1']);
    await call(api.base, 'POST', `/api/jobs/${(retried.body as Job).id}/cancel`, {
      token: user.accessToken,
    });

    for (const codecs of [
      ['h264', 'vp9'],
      ['h264', 'h264'],
    ]) {
      const bad = await call(api.base, 'POST', '/api/jobs', {
        token: user.accessToken,
        body: { videoId: video.id, formats: ['360p'], codecs },
      });
      expect(bad.status, JSON.stringify(codecs)).toBe(400);
    }
    const hevc = await call(api.base, 'POST', '/api/jobs', {
      token: user.accessToken,
      body: { videoId: video.id, formats: ['360p'], codecs: ['h264', 'hevc'] },
    });
    expect(hevc.status, JSON.stringify(hevc.body)).toBe(201);
    expect(await codecsOf((hevc.body as Job).id)).toEqual(['h264', 'hevc']);
    // A job that names none leaves the choice to the server (TRANSCODE_CODECS).
    await call(api.base, 'POST', `/api/jobs/${(hevc.body as Job).id}/cancel`, {
      token: user.accessToken,
    });
    const plain = await call(api.base, 'POST', '/api/jobs', {
      token: user.accessToken,
      body: { videoId: video.id, formats: ['360p'] },
    });
    expect(await codecsOf((plain.body as Job).id)).toBeNull();
  });
});

describeWith(['postgres', 'ffmpeg'], 'uploads when the probe cannot read the file', () => {
  let api: TestApi;
  let dir: string;

  beforeAll(async () => {
    // A 1 ms time limit: every probe fails for a reason that is not the file's.
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      probeTimeoutMs: 1,
    });
    dir = await mkdtemp(path.join(tmpdir(), 'vf-upload-transient-'));
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the upload and asks to complete again, rather than calling a good video bad', async () => {
    const clip = await readFile(await generateClip(dir, { seconds: 1, size: '320x240' }));
    const carol = await register(api, 'carol');
    const created = await sendSingleUpload(api, carol.accessToken, 'clip.mp4', clip);

    const completed = await call(api.base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token: carol.accessToken,
      body: {},
    });
    expect(completed.status).toBe(503);
    expect(completed.body).toMatchObject({ error: { code: 'probe_unavailable' } });
    expect(await api.storage.head(created.key)).toBeDefined();
    const [upload] = await api.db.sql<{ status: string }[]>`
      SELECT status FROM uploads WHERE id = ${created.uploadId}`;
    expect(upload?.status).toBe('pending');
    expect(await api.db.sql`SELECT id FROM outbox`).toHaveLength(0);
  });
});
