import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type {
  Job,
  TokenResponse,
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadCreateResponse,
} from '@videoforge/contracts';
import { createLocalStorage } from '@videoforge/platform/storage';
import { call } from './api-app.ts';
import { waitUntil } from './process.ts';

/**
 * What the browser suites start from: a registered owner whose clip went through the
 * API's single-PUT upload and complete, and a job that succeeded.
 */
export async function uploadTranscodedVideo(
  server: { baseUrl: string; output(): string },
  options: {
    owner: { username: string; email: string; password: string };
    clip: string;
    title: string;
    visibility?: 'public' | 'private';
    complete?: Omit<UploadCompleteRequest, 'parts'>;
    timeoutMs: number;
  },
): Promise<{ token: string; videoId: string; jobId: string }> {
  const base = server.baseUrl;
  const owner = (await call(base, 'POST', '/api/auth/register', { body: options.owner }))
    .body as TokenResponse;
  const token = owner.accessToken;
  const bytes = await readFile(options.clip);
  const created = (
    await call(base, 'POST', '/api/uploads', {
      token,
      body: {
        filename: 'clip.mp4',
        size: bytes.length,
        contentType: 'video/mp4',
        title: options.title,
        ...(options.visibility ? { visibility: options.visibility } : {}),
      },
    })
  ).body as Extract<UploadCreateResponse, { mode: 'single' }>;
  expect((await fetch(created.url, { method: 'PUT', body: bytes })).status).toBe(200);
  const { video, job } = (
    await call(base, 'POST', `/api/uploads/${created.uploadId}/complete`, {
      token,
      body: options.complete ?? {},
    })
  ).body as UploadCompleteResponse;
  await waitUntil(
    async () =>
      ((await call(base, 'GET', `/api/jobs/${job.id}`, { token })).body as Job).status ===
      'succeeded',
    { timeoutMs: options.timeoutMs, intervalMs: 500, describe: () => server.output().slice(-3000) },
  );
  return { token, videoId: video.id, jobId: job.id };
}

/**
 * Storage losing a finished job's video segments (media and init) while its manifests
 * stay: what a viewer meets after a bad lifecycle rule or a half-done restore. Goes
 * through the all-in-one's local storage, as the API serves it. Returns the keys removed.
 */
export async function removeVideoSegments(storageDir: string, jobId: string): Promise<string[]> {
  const storage = createLocalStorage({
    rootDir: storageDir,
    // Only list and delete are used: nothing is signed.
    publicBaseUrl: 'http://127.0.0.1/api/storage',
    signingSecret: 'unused',
  });
  const removed: string[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await storage.list(`videos/output/${jobId}/`, cursor ? { cursor } : {});
    for (const { key } of page.objects) {
      if (!/\/[0-9]+p(-[a-z0-9]+)?\/(segment-\d+\.m4s|init\.mp4)$/.test(key)) continue;
      await storage.delete(key);
      removed.push(key);
    }
    cursor = page.nextCursor;
    if (!cursor) return removed;
  }
}
