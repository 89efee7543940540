import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
  UploadList,
  UploadPartsResponse,
  UploadState,
} from '@videoforge/contracts';
import {
  call,
  generateClip,
  startTestApi,
  tmpdir,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { makePaddedClip } from '../../../test/support/padded-video.ts';
import { createLogger } from '@videoforge/platform/logging';
import { sweepExpiredUploads } from './upload-sweeper.ts';

const MiB = 1024 * 1024;
type Multipart = Extract<UploadCreateResponse, { mode: 'multipart' }>;
type Single = Extract<UploadCreateResponse, { mode: 'single' }>;

async function register(api: TestApi, username: string): Promise<TokenResponse> {
  const response = await call(api.base, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.com`, password: 'Sup3r!secret' },
  });
  expect(response.status).toBe(201);
  return response.body as TokenResponse;
}

async function put(url: string, body: Buffer): Promise<Response> {
  return fetch(url, { method: 'PUT', body });
}

/** The status storage answered, or 'reset' when it cut the connection mid-body. */
async function refusal(request: Promise<Response>): Promise<number | 'reset'> {
  try {
    return (await request).status;
  } catch {
    return 'reset';
  }
}

const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readAll(api: TestApi, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await api.storage.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

for (const kind of ['s3', 'local'] as const) {
  describeWith(
    kind === 's3' ? ['postgres', 's3', 'ffmpeg'] : ['postgres', 'ffmpeg'],
    `resumable uploads on ${kind} storage`,
    () => {
      let api: TestApi;
      let dir: string;
      let video: Buffer;
      let alice: TokenResponse;
      let bob: TokenResponse;

      beforeAll(async () => {
        api = await startTestApi({
          postgresUrl: inject('postgresUrl'),
          storage: kind === 's3' ? { kind, endpoint: inject('awsEndpoint') } : { kind },
        });
        dir = await mkdtemp(path.join(tmpdir(), 'vf-resume-'));
        // 12 MiB + a little: three 5 MiB parts, the last one shorter.
        video = await readFile((await makePaddedClip(dir, 12 * MiB + 12_345)).file);
        alice = await register(api, 'alice');
        bob = await register(api, 'bob');
      });
      afterAll(async () => {
        await api?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      });

      const create = async (token: string, body: Record<string, unknown>) =>
        call(api.base, 'POST', '/api/uploads', {
          token,
          body: { contentType: 'video/mp4', ...body },
        });
      const slice = (upload: { partSize: number }, n: number) =>
        video.subarray((n - 1) * upload.partSize, n * upload.partSize);

      it('says which parts storage holds, signs fresh part URLs, and completes from what is stored', async () => {
        const created = await create(alice.accessToken, {
          filename: 'padded.mp4',
          size: video.length,
          multipart: true,
        });
        expect(created.status).toBe(201);
        const upload = created.body as Multipart;
        expect(upload.parts).toHaveLength(3);
        // Resumable for the configured time: 24 h by default.
        const hoursLeft = (Date.parse(upload.expiresAt) - Date.now()) / 3_600_000;
        expect(hoursLeft).toBeGreaterThan(23.9);
        expect(hoursLeft).toBeLessThanOrEqual(24);

        const listed = (await call(api.base, 'GET', '/api/uploads', { token: alice.accessToken }))
          .body as UploadList;
        expect(listed.items).toEqual([
          expect.objectContaining({
            uploadId: upload.uploadId,
            mode: 'multipart',
            size: video.length,
            partSize: 5 * MiB,
            partCount: 3,
            filename: 'padded.mp4',
            status: 'pending',
          }),
        ]);
        // Owner only: another user neither lists nor reads it.
        expect(
          (
            (await call(api.base, 'GET', '/api/uploads', { token: bob.accessToken }))
              .body as UploadList
          ).items,
        ).toEqual([]);
        expect(
          (
            await call(api.base, 'GET', `/api/uploads/${upload.uploadId}`, {
              token: bob.accessToken,
            })
          ).status,
        ).toBe(404);
        expect(
          (
            await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/parts`, {
              token: bob.accessToken,
              body: { partNumbers: [2] },
            })
          ).status,
        ).toBe(404);

        // Parts 1 and 3 arrive; the state read from storage says so, with their ETags.
        const etags = new Map<number, string>();
        for (const n of [1, 3]) {
          const response = await put(upload.parts[n - 1]?.url ?? '', slice(upload, n));
          expect(response.status).toBe(200);
          etags.set(n, response.headers.get('etag') ?? '');
        }
        const state = (
          await call(api.base, 'GET', `/api/uploads/${upload.uploadId}`, {
            token: alice.accessToken,
          })
        ).body as UploadState;
        expect(state.parts).toEqual([
          { partNumber: 1, etag: etags.get(1), size: 5 * MiB },
          { partNumber: 3, etag: etags.get(3), size: video.length - 10 * MiB },
        ]);
        expect(state.storedBytes).toBe(video.length - 5 * MiB);

        // Completing now names the missing part, and the upload stays resumable.
        const early = await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
          token: alice.accessToken,
          body: {},
        });
        expect(early.status).toBe(400);
        expect(early.body).toMatchObject({
          error: { code: 'upload_incomplete', details: { missingParts: [2] } },
        });

        // A fresh URL for the missing part, signed for its exact length.
        const bad = await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/parts`, {
          token: alice.accessToken,
          body: { partNumbers: [4] },
        });
        expect(bad.status).toBe(400);
        expect(bad.body).toMatchObject({ error: { code: 'validation_failed' } });
        const fresh = (
          await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/parts`, {
            token: alice.accessToken,
            body: { partNumbers: [2] },
          })
        ).body as UploadPartsResponse;
        expect(fresh.parts.map(({ partNumber, size }) => ({ partNumber, size }))).toEqual([
          { partNumber: 2, size: 5 * MiB },
        ]);
        expect(Date.parse(fresh.expiresAt)).toBeLessThanOrEqual(Date.parse(upload.expiresAt));
        expect((await put(fresh.parts[0]?.url ?? '', slice(upload, 2))).status).toBe(200);

        // No part list needed: storage's is the one that counts.
        const completed = await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
          token: alice.accessToken,
          body: {},
        });
        expect(completed.status, JSON.stringify(completed.body)).toBe(201);
        const { job } = completed.body as UploadCompleteResponse;
        expect(sha256(await readAll(api, upload.key))).toBe(sha256(video));

        // Finished: no longer listed, its state is a conflict, its part URLs are dead.
        expect(
          (
            (await call(api.base, 'GET', '/api/uploads', { token: alice.accessToken }))
              .body as UploadList
          ).items,
        ).toEqual([]);
        expect(
          (
            await call(api.base, 'GET', `/api/uploads/${upload.uploadId}`, {
              token: alice.accessToken,
            })
          ).status,
        ).toBe(409);
        const late = await put(upload.parts[0]?.url ?? '', Buffer.alloc(5 * MiB, 7));
        expect(late.status).not.toBe(200);
        expect(sha256(await readAll(api, upload.key))).toBe(sha256(video));
        const [row] = await api.db.sql<
          { input_key: string }[]
        >`SELECT input_key FROM jobs WHERE id = ${job.id}`;
        expect(row?.input_key).toBe(upload.key);
      });

      it('signs each URL for its length; storage refuses other lengths where it can check', async () => {
        const upload = (
          await create(alice.accessToken, {
            filename: 'len.mp4',
            size: video.length,
            multipart: true,
          })
        ).body as Multipart;
        const url = new URL(upload.parts[0]?.url ?? '');
        if (kind === 's3') {
          // The signature covers Content-Length (moto does not check signatures; S3 does).
          expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
          expect(url.searchParams.get('x-amz-checksum-crc32')).toBeNull();
        } else {
          expect(url.searchParams.get('size')).toBe(String(5 * MiB));
          // Shorter, longer, and a longer body sent without a length (chunked): refused
          // with a 4xx or cut off mid-body, and nothing is stored either way.
          expect(await refusal(put(url.toString(), Buffer.alloc(1000)))).toBe(400);
          expect(await refusal(put(url.toString(), Buffer.alloc(5 * MiB + 1)))).not.toBe(200);
          const chunked = fetch(url, {
            method: 'PUT',
            body: new ReadableStream({
              start(controller) {
                for (let i = 0; i < 6; i++) controller.enqueue(new Uint8Array(MiB));
                controller.close();
              },
            }),
            duplex: 'half',
          });
          expect(await refusal(chunked)).not.toBe(200);
          // Tampering with the signed size breaks the signature.
          url.searchParams.set('size', String(6 * MiB));
          expect(await refusal(put(url.toString(), Buffer.alloc(6 * MiB)))).not.toBe(200);
          const state = (
            await call(api.base, 'GET', `/api/uploads/${upload.uploadId}`, {
              token: alice.accessToken,
            })
          ).body as UploadState;
          expect(state.parts).toEqual([]);
        }
        await call(api.base, 'DELETE', `/api/uploads/${upload.uploadId}`, {
          token: alice.accessToken,
        });
      });

      it('refuses to complete when storage holds another size than declared', async () => {
        const clip = await readFile(await generateClip(dir, { seconds: 1 }));
        const upload = (
          await create(bob.accessToken, { filename: 'short.mp4', size: clip.length + 1000 })
        ).body as Single;
        // As if storage had taken the body whatever its length (what a signed length prevents).
        await api.storage.put(upload.key, clip);
        const completed = await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
          token: bob.accessToken,
          body: {},
        });
        expect(completed.status).toBe(422);
        expect(completed.body).toMatchObject({
          error: {
            code: 'size_mismatch',
            details: { size: clip.length, declaredSize: clip.length + 1000 },
          },
        });
        expect(await api.storage.head(upload.key)).toBeUndefined();
      });

      it('transcodes a copy no URL was issued for, so a still-valid PUT URL cannot swap the source', async () => {
        const clip = await readFile(await generateClip(dir, { seconds: 1 }));
        const upload = (await create(bob.accessToken, { filename: 'swap.mp4', size: clip.length }))
          .body as Single;
        expect((await put(upload.url, clip)).status).toBe(200);
        const completed = await call(api.base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
          token: bob.accessToken,
          body: {},
        });
        expect(completed.status, JSON.stringify(completed.body)).toBe(201);
        const { job } = completed.body as UploadCompleteResponse;
        const [row] = await api.db.sql<
          { input_key: string }[]
        >`SELECT input_key FROM jobs WHERE id = ${job.id}`;
        const source = row?.input_key ?? '';
        expect(source).not.toBe(upload.key);
        // The URL still works for its key, but that key is no longer what is transcoded.
        const swapped = Buffer.alloc(clip.length, 1);
        await put(upload.url, swapped);
        expect(sha256(await readAll(api, source))).toBe(sha256(clip));
      });

      it('sweeps an expired resumable upload with its parts', async () => {
        const upload = (
          await create(alice.accessToken, {
            filename: 'old.mp4',
            size: video.length,
            multipart: true,
          })
        ).body as Multipart;
        expect((await put(upload.parts[0]?.url ?? '', slice(upload, 1))).status).toBe(200);
        const uploadId =
          (
            await api.db.sql<
              { multipart_id: string }[]
            >`SELECT multipart_id FROM uploads WHERE id = ${upload.uploadId}`
          )[0]?.multipart_id ?? '';
        expect(await api.storage.listParts({ key: upload.key, uploadId })).toHaveLength(1);
        await api.db
          .sql`UPDATE uploads SET expires_at = now() - interval '1 second' WHERE id = ${upload.uploadId}`;
        const expired = await call(api.base, 'GET', `/api/uploads/${upload.uploadId}`, {
          token: alice.accessToken,
        });
        expect(expired.status).toBe(410);
        expect(expired.body).toMatchObject({ error: { code: 'upload_expired' } });
        expect(
          await sweepExpiredUploads({
            sql: api.db.sql,
            storage: api.storage,
            logger: createLogger({ service: 'test', level: 'silent' }),
          }),
        ).toBeGreaterThanOrEqual(1);
        expect(await api.storage.listParts({ key: upload.key, uploadId })).toBeUndefined();
      });
    },
  );
}
