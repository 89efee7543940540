import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api-client.ts';
import {
  completeRequestFor,
  completeWithRetry,
  partSizeFor,
  refusalMessage,
  titleFrom,
  toUppyParts,
  uploadContentType,
} from './uppy-uploader.ts';

const MiB = 1024 * 1024;

describe('the Uppy wiring', () => {
  it('plans parts as the API does: 16 MiB, growing to stay within 10 000 parts', () => {
    expect(partSizeFor(300 * MiB)).toBe(16 * MiB);
    expect(partSizeFor(500_000 * MiB)).toBe(50 * MiB);
  });
  it('takes the stored parts from the server state, in Uppy’s shape', () => {
    expect(
      toUppyParts({
        uploadId: '0b9f0c7e-1111-4222-8333-444455556666',
        mode: 'multipart',
        key: 'k',
        filename: 'a.mp4',
        title: 'a',
        contentType: 'video/mp4',
        size: 20,
        partSize: 16,
        partCount: 2,
        status: 'pending',
        createdAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2026-01-02T00:00:00.000Z',
        storedBytes: 16,
        parts: [{ partNumber: 1, etag: '"e1"', size: 16 }],
      }),
    ).toEqual([{ PartNumber: 1, Size: 16, ETag: '"e1"' }]);
  });
  it('says why the server refused a file', () => {
    expect(
      refusalMessage(
        new ApiError(400, 'validation_failed', 'invalid body', {
          issues: [{ path: 'body.contentType', message: 'must be a video/* media type' }],
        }),
      ),
    ).toBe('contentType: must be a video/* media type');
    expect(
      refusalMessage(new ApiError(403, 'quota_exceeded', 'you have 20 unfinished uploads', {})),
    ).toBe('you have 20 unfinished uploads');
  });
  it('titles a file by its name', () => {
    expect(titleFrom('Holiday 2026.mp4')).toBe('Holiday 2026');
  });
  it('completes with the parts in order, and the formats and HDR the file asks for', () => {
    const parts = [
      { PartNumber: 2, ETag: '"e2"' },
      { PartNumber: 1, ETag: '"e1"' },
      { PartNumber: 3 },
    ];
    expect(completeRequestFor({ formats: ['720p', '360p'], hdr: true }, parts)).toEqual({
      parts: [
        { partNumber: 1, etag: '"e1"' },
        { partNumber: 2, etag: '"e2"' },
      ],
      formats: ['720p', '360p'],
      hdr: true,
    });
    // Unprobed and untouched: the API picks the formats after its own probe.
    expect(completeRequestFor({}, [{ PartNumber: 1, ETag: '"e1"' }])).toEqual({
      parts: [{ partNumber: 1, etag: '"e1"' }],
    });
  });
  it('sends a file of unknown type as a video for the server to probe, others as they are', () => {
    expect(uploadContentType('video/x-matroska')).toBe('video/x-matroska');
    expect(uploadContentType('')).toBe('video/mp4');
    expect(uploadContentType('application/octet-stream')).toBe('video/mp4');
    expect(uploadContentType('text/plain')).toBe('text/plain');
  });
  it('asks again while the server cannot probe the file just now; other refusals are final', async () => {
    const sleep = vi.fn(async () => undefined);
    const unavailable = new ApiError(503, 'probe_unavailable', 'try again', {});
    const complete = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(unavailable)
      .mockRejectedValueOnce(unavailable)
      .mockResolvedValueOnce('done');
    await expect(completeWithRetry(complete, sleep)).resolves.toBe('done');
    expect(sleep.mock.calls).toEqual([[500], [1000]]);
    const refused = new ApiError(422, 'not_a_video', 'the upload is not a usable video', {});
    const once = vi.fn<() => Promise<string>>().mockRejectedValue(refused);
    await expect(completeWithRetry(once, sleep)).rejects.toBe(refused);
    expect(once).toHaveBeenCalledTimes(1);
    const always = vi.fn<() => Promise<string>>().mockRejectedValue(unavailable);
    await expect(completeWithRetry(always, sleep)).rejects.toBe(unavailable);
    expect(always).toHaveBeenCalledTimes(4);
  });
});
