import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  UploadCompleteResponse,
  UploadCreateResponse,
  UploadList,
  UploadPartsResponse,
  UploadState,
  type Format,
  type Visibility,
} from '@videoforge/contracts';
import { ApiRefusal, describe, type ApiClient } from './api-client.ts';
import { RefusedError, TransientError } from './exit-codes.ts';
import type { ProgressLine } from './progress.ts';
import { withRetry, type RetryOptions, DEFAULT_RETRY } from './retry.ts';
import { readState, removeState, writeState } from './upload-state.ts';

export interface FileUploadOptions {
  title?: string | undefined;
  visibility: Visibility;
  formats?: Format[] | undefined;
  /** Parts in flight at once. */
  concurrency: number;
  retry?: RetryOptions;
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.avi': 'video/x-msvideo',
  '.mpg': 'video/mpeg',
  '.mpeg': 'video/mpeg',
  '.ts': 'video/mp2t',
};

/** The server probes every upload; the type only has to be a video/* one. */
export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'video/mp4';
}

/** Part numbers a server's state lacks (a part of the wrong length counts as missing). */
export function missingParts(state: UploadState): number[] {
  const partSize = state.partSize ?? state.size;
  const stored = new Map(state.parts.map((p) => [p.partNumber, p.size]));
  const missing: number[] = [];
  for (let n = 1; n <= state.partCount; n++) {
    const expected = Math.min(partSize, state.size - (n - 1) * partSize);
    if (stored.get(n) !== expected) missing.push(n);
  }
  return missing;
}

/** The state of an upload this file can resume, asked from the server, or undefined. */
async function findResumable(
  api: ApiClient,
  file: string,
  size: number,
  mtimeMs: number,
): Promise<UploadState | undefined> {
  const remembered = await readState(file);
  const candidates: string[] = [];
  if (
    remembered &&
    remembered.api === api.baseUrl &&
    remembered.size === size &&
    remembered.mtimeMs === mtimeMs
  )
    candidates.push(remembered.uploadId);
  else if (!remembered) {
    // No state file (e.g. a read-only folder): the server's list of unfinished uploads.
    const { items } = await api.request('GET', '/api/uploads', UploadList);
    const match = items.find(
      (u) => u.mode === 'multipart' && u.filename === path.basename(file) && u.size === size,
    );
    if (match) candidates.push(match.uploadId);
  }
  for (const id of candidates) {
    try {
      const state = await api.request('GET', `/api/uploads/${id}`, UploadState);
      if (state.mode === 'multipart' && state.size === size && state.status === 'pending')
        return state;
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error; // gone, finished or expired: start anew
    }
  }
  await removeState(file);
  return undefined;
}

async function putPart(url: string, body: Buffer): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'PUT', body, signal: AbortSignal.timeout(300_000) });
  } catch (error) {
    throw new TransientError(`sending a part failed (${describe(error)})`, { cause: error });
  }
  await response.body?.cancel().catch(() => undefined);
  // 403: the URL expired (or storage's clock disagrees) — sign again and retry.
  if (response.status === 403 || response.status >= 500 || response.status === 408)
    throw new TransientError(`storage answered ${response.status} to a part`);
  if (!response.ok)
    throw new RefusedError('part_refused', `storage refused a part (${response.status})`);
}

/**
 * Uploads one file as a resumable multipart upload: resumes the upload the server holds
 * for it (sending only the parts storage lacks), or starts one; sends parts
 * `concurrency` at a time with retries; completes; returns the video and its job.
 */
export async function uploadFile(
  api: ApiClient,
  file: string,
  options: FileUploadOptions,
  progress: ProgressLine,
): Promise<UploadCompleteResponse> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new RefusedError('no_such_file', `${file}: no such file`);
  if (info.size === 0) throw new RefusedError('empty_file', `${file}: the file is empty`);
  const size = info.size;

  let state = await withRetry(() => findResumable(api, file, size, info.mtimeMs), retry);
  const resumed = state !== undefined;
  if (!state) {
    const created = await withRetry(
      () =>
        api.request('POST', '/api/uploads', UploadCreateResponse, {
          filename: path.basename(file),
          size,
          contentType: contentTypeFor(file),
          multipart: true,
          visibility: options.visibility,
          ...(options.title ? { title: options.title } : {}),
        }),
      retry,
    );
    await writeState(file, {
      version: 1,
      api: api.baseUrl,
      uploadId: created.uploadId,
      size,
      mtimeMs: info.mtimeMs,
    });
    state = await withRetry(
      () => api.request('GET', `/api/uploads/${created.uploadId}`, UploadState),
      retry,
    );
  }
  const upload = state;
  const partSize = upload.partSize ?? size;
  const missing = missingParts(upload);
  const storedBytes =
    size - missing.reduce((sum, n) => sum + Math.min(partSize, size - (n - 1) * partSize), 0);
  progress.start(size, storedBytes);
  if (resumed)
    progress.status(
      `resuming: ${upload.partCount - missing.length} of ${upload.partCount} parts already stored`,
    );

  const handle = await open(file, 'r');
  try {
    const urls = new Map<number, string>();
    const sign = async (numbers: number[]) => {
      for (let i = 0; i < numbers.length; i += 1000) {
        const { parts } = await api.request(
          'POST',
          `/api/uploads/${upload.uploadId}/parts`,
          UploadPartsResponse,
          { partNumbers: numbers.slice(i, i + 1000) },
        );
        for (const part of parts) urls.set(part.partNumber, part.url);
      }
    };
    await withRetry(() => sign(missing), retry);
    const queue = [...missing];
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const partNumber = n;
        const length = Math.min(partSize, size - (partNumber - 1) * partSize);
        const body = Buffer.alloc(length);
        await handle.read(body, 0, length, (partNumber - 1) * partSize);
        await withRetry(
          async (attempt) => {
            if (attempt > 1) await sign([partNumber]);
            await putPart(urls.get(partNumber) ?? '', body);
          },
          {
            ...retry,
            onRetry: (attempt, error, delay) =>
              progress.status(
                `part ${partNumber}: ${describe(error)}; retry ${attempt} in ${Math.ceil(delay / 1000)}s`,
              ),
          },
        );
        progress.advance(length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
  } finally {
    await handle.close();
  }

  progress.status('checking the video');
  const completed = await withRetry(async () => {
    try {
      return await api.request(
        'POST',
        `/api/uploads/${upload.uploadId}/complete`,
        UploadCompleteResponse,
        {
          ...(options.formats ? { formats: options.formats } : {}),
        },
      );
    } catch (error) {
      // Parts storage does not hold (yet): worth another run, not a refusal.
      if (error instanceof ApiRefusal && error.code === 'upload_incomplete')
        throw new TransientError(error.message, { cause: error });
      throw error;
    }
  }, retry);
  await removeState(file);
  return completed;
}
