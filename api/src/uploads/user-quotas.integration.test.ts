import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Job,
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
} from '@videoforge/contracts';
import {
  call,
  generateClip,
  startTestApi,
  tmpdir,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';

type Single = Extract<UploadCreateResponse, { mode: 'single' }>;

describeWith(['postgres', 'ffmpeg'], 'per-user quotas (local storage)', () => {
  let api: TestApi;
  let dir: string;
  let short: Buffer;
  let long: Buffer;
  let carol: TokenResponse;

  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: {
        quotas: {
          concurrentUploads: 3,
          activeJobs: 1,
          storedBytes: 20 * 1024 * 1024,
          sourceDurationSeconds: 3,
        },
      },
    });
    dir = await mkdtemp(path.join(tmpdir(), 'vf-quota-'));
    short = await readFile(await generateClip(dir, { seconds: 1 }));
    // Small frame, long duration: the duration limit holds at every resolution.
    long = await readFile(await generateClip(dir, { seconds: 4, size: '160x120' }));
    const registered = await call(api.base, 'POST', '/api/auth/register', {
      body: { username: 'carol', email: 'carol@example.com', password: 'Sup3r!secret' },
    });
    carol = registered.body as TokenResponse;
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const start = (size: number, filename = 'clip.mp4') =>
    call(api.base, 'POST', '/api/uploads', {
      token: carol.accessToken,
      body: { filename, size, contentType: 'video/mp4' },
    });
  const send = async (bytes: Buffer): Promise<Single> => {
    const upload = (await start(bytes.length)).body as Single;
    expect((await fetch(upload.url, { method: 'PUT', body: bytes })).status).toBe(200);
    return upload;
  };
  const complete = (upload: { uploadId: string }) =>
    call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
      token: carol.accessToken,
      body: {},
    });

  it('refuses uploads past the stored-bytes and concurrent-upload limits, naming the quota', async () => {
    const tooBig = await start(21 * 1024 * 1024);
    expect(tooBig.status).toBe(403);
    expect(tooBig.body).toMatchObject({
      error: { code: 'quota_exceeded', details: { quota: 'storedBytes', limit: 20 * 1024 * 1024 } },
    });
    const open = await Promise.all([start(1000), start(1000), start(1000), start(1000)]);
    // Started at once, and still only three: the check and the insert are serialised.
    expect(open.map((r) => r.status).sort()).toEqual([201, 201, 201, 403]);
    expect(open.find((r) => r.status === 403)?.body).toMatchObject({
      error: {
        code: 'quota_exceeded',
        details: { quota: 'concurrentUploads', limit: 3, used: 3 },
      },
    });
    expect(JSON.stringify(open.find((r) => r.status === 403)?.body)).toContain(
      'unfinished uploads',
    );
    for (const response of open.filter((r) => r.status === 201))
      await call(api.base, 'DELETE', `/api/uploads/${(response.body as Single).uploadId}`, {
        token: carol.accessToken,
      });
    expect((await start(1000)).status).toBe(201);
  });

  it('refuses a source longer than the duration limit, whatever its resolution', async () => {
    const upload = await send(long);
    const completed = await complete(upload);
    expect(completed.status).toBe(403);
    expect(completed.body).toMatchObject({
      error: { code: 'quota_exceeded', details: { quota: 'sourceDurationSeconds', limit: 3 } },
    });
    expect(await api.storage.head(upload.key)).toBeUndefined();
  });

  it('holds uploads past the active-jobs limit until a job finishes, and one active job per video', async () => {
    await api.db.sql`DELETE FROM uploads`;
    const first = await complete(await send(short));
    expect(first.status).toBe(201);
    const { video, job } = first.body as UploadCompleteResponse;

    const second = await send(short);
    const refused = await complete(second);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: { code: 'quota_exceeded', details: { quota: 'activeJobs', limit: 1, used: 1 } },
    });
    // The bytes were kept: once the first job is done, the same upload completes.
    await api.db.sql`UPDATE jobs SET status = 'succeeded' WHERE id = ${job.id}`;
    expect((await complete(second)).status).toBe(201);
    await api.db.sql`UPDATE jobs SET status = 'succeeded'`;

    // Two requests for a job on the same video at once: one job, one refusal. Which rule
    // refuses depends on timing: the active-jobs quota (403) when both are inside the
    // transaction, the video's job in progress (409) when the second starts after the
    // first committed; without either, the unique index below would.
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        call(api.base, 'POST', '/api/jobs', {
          token: carol.accessToken,
          body: { videoId: video.id, formats: ['360p'] },
        }),
      ),
    );
    const statuses = [a?.status, b?.status];
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.find((status) => status !== 201)).toBeOneOf([403, 409]);
    expect(
      await api.db
        .sql`SELECT id FROM jobs WHERE video_id = ${video.id} AND status IN ('pending', 'running')`,
    ).toHaveLength(1);
    // The database itself refuses a second active job for the video, whoever writes it.
    const active = (a?.status === 201 ? a : b)?.body as Job;
    await expect(
      api.db.sql`INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix)
        SELECT user_id, video_id, formats, input_key, 'x/' FROM jobs WHERE id = ${active.id}`,
    ).rejects.toMatchObject({ code: '23505', constraint_name: 'jobs_one_active_per_video_idx' });
  });
});
