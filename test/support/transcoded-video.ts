import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type {
  Job,
  TokenResponse,
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadCreateResponse,
} from '@videoforge/contracts';
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
