import { describe, expect, it, vi } from 'vitest';
import type { UploadCompleteResponse, UploadCreateResponse } from '@videoforge/contracts';
import { runUpload, type UploadDeps } from './multipart-upload.ts';
import {
  initialUploadState,
  uploadProgress,
  uploadReducer,
  type UploadEvent,
  type UploadState,
} from './upload-machine.ts';

const MB = 1024 * 1024;
const uploadId = '00000000-0000-4000-8000-000000000001';

function fileOf(size: number): Blob & { name: string } {
  return Object.assign(new Blob([new Uint8Array(size)], { type: 'video/mp4' }), {
    name: 'clip.mp4',
  });
}

function multipart(size: number, partSize: number): UploadCreateResponse {
  const count = Math.ceil(size / partSize);
  return {
    mode: 'multipart',
    uploadId,
    key: 'videos/raw/1/x/clip.mp4',
    partSize,
    parts: Array.from({ length: count }, (_, i) => ({
      partNumber: i + 1,
      url: `https://storage.test/part/${i + 1}`,
    })),
    expiresAt: '2030-01-01T00:00:00.000Z',
  };
}

const completed = {
  video: { id: '7' },
  job: { id: '9', videoId: '7', status: 'pending' },
} as UploadCompleteResponse;

/** Fake storage and API; `failures` says how often each part's PUT fails before it works. */
function harness(size: number, partSize: number, failures: Record<number, number> = {}) {
  let clock = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const attempts = new Map<number, number>();
  const events: UploadEvent[] = [];
  let state: UploadState = initialUploadState;
  state = uploadReducer(state, {
    type: 'select',
    file: { name: 'clip.mp4', size, type: 'video/mp4' },
  });
  const deps: UploadDeps = {
    createUpload: vi.fn(async () => multipart(size, partSize)),
    completeUpload: vi.fn(async () => completed),
    abortUpload: vi.fn(async () => undefined),
    putPart: vi.fn<UploadDeps['putPart']>(async (url, body, { onProgress, signal }) => {
      const partNumber = Number(url.split('/').at(-1));
      const attempt = (attempts.get(partNumber) ?? 0) + 1;
      attempts.set(partNumber, attempt);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1));
        signal.throwIfAborted();
        clock += 100;
        onProgress(body.size / 2);
        if (attempt <= (failures[partNumber] ?? 0)) throw new Error('connection reset');
        onProgress(body.size);
        return `"etag-${partNumber}"`;
      } finally {
        inFlight--;
      }
    }),
    sleep: vi.fn(async () => undefined),
    now: () => clock,
  };
  const dispatch = (event: UploadEvent) => {
    events.push(event);
    state = uploadReducer(state, event);
  };
  return {
    deps,
    dispatch,
    events,
    attempts,
    get state() {
      return state;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('multipart upload runner', () => {
  it('sends the parts in parallel, then completes with every ETag in order', async () => {
    const h = harness(50 * MB, 5 * MB);
    await runUpload(
      { file: fileOf(50 * MB), title: 'Clip', visibility: 'private', formats: ['720p', '360p'] },
      h.deps,
      h.dispatch,
      new AbortController().signal,
    );
    expect(h.deps.createUpload).toHaveBeenCalledWith({
      filename: 'clip.mp4',
      size: 50 * MB,
      contentType: 'video/mp4',
      multipart: true,
      title: 'Clip',
      visibility: 'private',
    });
    expect(h.maxInFlight).toBe(4);
    expect(h.deps.completeUpload).toHaveBeenCalledWith(uploadId, {
      parts: Array.from({ length: 10 }, (_, i) => ({ partNumber: i + 1, etag: `"etag-${i + 1}"` })),
      formats: ['720p', '360p'],
    });
    expect(h.state).toMatchObject({ phase: 'processing', video: { id: '7' } });
    expect(h.deps.abortUpload).not.toHaveBeenCalled();
  });

  it('slices the file exactly, the last part short', async () => {
    const h = harness(12 * MB + 3, 5 * MB);
    await runUpload(
      { file: fileOf(12 * MB + 3) },
      h.deps,
      h.dispatch,
      new AbortController().signal,
    );
    const sizes = vi.mocked(h.deps.putPart).mock.calls.map(([, body]) => body.size);
    expect(sizes.sort((a, b) => a - b)).toEqual([2 * MB + 3, 5 * MB, 5 * MB]);
  });

  it('retries a failing part with backoff, without counting its lost bytes', async () => {
    const h = harness(15 * MB, 5 * MB, { 2: 2 });
    await runUpload({ file: fileOf(15 * MB) }, h.deps, h.dispatch, new AbortController().signal);
    expect(h.attempts.get(2)).toBe(3);
    expect(h.attempts.get(1)).toBe(1);
    expect(vi.mocked(h.deps.sleep).mock.calls.map(([ms]) => ms)).toEqual([500, 1000]);
    expect(h.events.filter((e) => e.type === 'part-retry')).toEqual([
      { type: 'part-retry', partNumber: 2, attempt: 1 },
      { type: 'part-retry', partNumber: 2, attempt: 2 },
    ]);
    expect(h.state.phase).toBe('processing');
  });

  it('fails the upload when a part keeps failing, and removes what was sent', async () => {
    const h = harness(15 * MB, 5 * MB, { 3: 99 });
    await runUpload({ file: fileOf(15 * MB) }, h.deps, h.dispatch, new AbortController().signal);
    expect(h.attempts.get(3)).toBe(4);
    expect(h.state).toMatchObject({
      phase: 'failed',
      stage: 'upload',
      message: 'part 3 failed after 4 attempts: connection reset',
    });
    expect(h.deps.abortUpload).toHaveBeenCalledWith(uploadId);
    expect(h.deps.completeUpload).not.toHaveBeenCalled();
  });

  it('cancel stops the parts and aborts the upload on the server', async () => {
    const h = harness(50 * MB, 5 * MB);
    const controller = new AbortController();
    const dispatch = (event: UploadEvent) => {
      h.dispatch(event);
      if (event.type === 'part-done' && event.partNumber === 1) {
        h.dispatch({ type: 'cancel' });
        controller.abort();
      }
    };
    await runUpload({ file: fileOf(50 * MB) }, h.deps, dispatch, controller.signal);
    expect(h.state.phase).toBe('cancelled');
    expect(h.deps.abortUpload).toHaveBeenCalledWith(uploadId);
    expect(h.deps.completeUpload).not.toHaveBeenCalled();
    expect(vi.mocked(h.deps.putPart).mock.calls.length).toBeLessThan(10);
  });

  it('reports a refused file with the API’s code and does not abort it again', async () => {
    const h = harness(5 * MB, 5 * MB);
    vi.mocked(h.deps.completeUpload).mockRejectedValueOnce(
      Object.assign(new Error('the upload is not a usable video: still image'), {
        code: 'not_a_video',
      }),
    );
    await runUpload({ file: fileOf(5 * MB) }, h.deps, h.dispatch, new AbortController().signal);
    expect(h.state).toMatchObject({ phase: 'failed', stage: 'complete', code: 'not_a_video' });
    expect(h.deps.abortUpload).not.toHaveBeenCalled();
  });

  it('completes again when the server could not read the file just now', async () => {
    const h = harness(5 * MB, 5 * MB);
    const unavailable = () =>
      Object.assign(new Error('the upload could not be checked just now'), {
        code: 'probe_unavailable',
      });
    vi.mocked(h.deps.completeUpload)
      .mockRejectedValueOnce(unavailable())
      .mockRejectedValueOnce(unavailable());
    await runUpload({ file: fileOf(5 * MB) }, h.deps, h.dispatch, new AbortController().signal);
    expect(h.deps.completeUpload).toHaveBeenCalledTimes(3);
    expect(h.state).toMatchObject({ phase: 'processing', video: { id: '7' } });
    expect(h.deps.abortUpload).not.toHaveBeenCalled();
  });

  it('gives up completing after its attempts and removes the upload', async () => {
    const h = harness(5 * MB, 5 * MB);
    vi.mocked(h.deps.completeUpload).mockRejectedValue(
      Object.assign(new Error('the upload could not be checked just now'), {
        code: 'probe_unavailable',
      }),
    );
    await runUpload({ file: fileOf(5 * MB) }, h.deps, h.dispatch, new AbortController().signal);
    expect(h.deps.completeUpload).toHaveBeenCalledTimes(4);
    expect(h.state).toMatchObject({
      phase: 'failed',
      stage: 'complete',
      code: 'probe_unavailable',
    });
    expect(h.deps.abortUpload).toHaveBeenCalledTimes(1);
  });

  it('reports a refused start (e.g. too large) as a create failure', async () => {
    const h = harness(5 * MB, 5 * MB);
    vi.mocked(h.deps.createUpload).mockRejectedValueOnce(
      Object.assign(new Error('uploads are limited to 1 bytes'), { code: 'upload_too_large' }),
    );
    await runUpload({ file: fileOf(5 * MB) }, h.deps, h.dispatch, new AbortController().signal);
    expect(h.state).toMatchObject({ phase: 'failed', stage: 'create', code: 'upload_too_large' });
    expect(h.deps.putPart).not.toHaveBeenCalled();
  });

  it('ends at 100% of the bytes', async () => {
    const h = harness(7 * MB, 5 * MB);
    const fractions: number[] = [];
    const dispatch = (event: UploadEvent) => {
      h.dispatch(event);
      const progress = uploadProgress(h.state);
      if (progress) fractions.push(progress.fraction);
    };
    await runUpload({ file: fileOf(7 * MB) }, h.deps, dispatch, new AbortController().signal);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });
});
