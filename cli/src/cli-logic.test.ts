import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './args.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { contentTypeFor, missingParts } from './file-upload.ts';
import { formatBytes, formatDuration } from './progress.ts';
import { backoffDelay, DEFAULT_RETRY } from './retry.ts';

describe('videoforge upload arguments', () => {
  it('reads files, title, visibility, formats and --wait', () => {
    expect(
      parseCliArgs([
        'upload',
        'a.mp4',
        '--title',
        'Cats',
        '--private',
        '--formats',
        '720p,360p',
        '--wait',
      ]),
    ).toEqual({
      kind: 'upload',
      command: {
        command: 'upload',
        files: ['a.mp4'],
        title: 'Cats',
        visibility: 'private',
        formats: ['720p', '360p'],
        wait: true,
        concurrency: 4,
      },
    });
  });
  it('refuses what makes no sense, with a readable reason', () => {
    expect(() => parseCliArgs(['upload'])).toThrow(/at least one file/);
    expect(() => parseCliArgs(['upload', 'a.mp4', '--formats', '999p'])).toThrow(/formats/);
    expect(() => parseCliArgs(['upload', 'a.mp4', 'b.mp4', '--title', 'x'])).toThrow(/one file/);
    expect(() => parseCliArgs(['download', 'a.mp4'])).toThrow(/unknown command/);
    expect(() => parseCliArgs(['upload', 'a.mp4', '--colour'])).toThrow();
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
  });
});

describe('exit codes', () => {
  it('0 done, 2 refused, 1 transient (which wins: a rerun can finish it)', () => {
    expect(exitCodeFor(['done', 'done'])).toBe(EXIT.done);
    expect(exitCodeFor(['done', 'refused'])).toBe(2);
    expect(exitCodeFor(['refused', 'transient'])).toBe(1);
  });
});

describe('resuming', () => {
  const state = {
    uploadId: '0b9f0c7e-1111-4222-8333-444455556666',
    mode: 'multipart' as const,
    key: 'k',
    filename: 'a.mp4',
    title: 'a',
    contentType: 'video/mp4',
    size: 25,
    partSize: 10,
    partCount: 3,
    status: 'pending' as const,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-02T00:00:00.000Z',
    storedBytes: 0,
  };
  it('sends only the parts storage lacks, and again a part of the wrong length', () => {
    expect(missingParts({ ...state, parts: [] })).toEqual([1, 2, 3]);
    expect(
      missingParts({
        ...state,
        parts: [
          { partNumber: 1, etag: '"a"', size: 10 },
          { partNumber: 3, etag: '"c"', size: 4 },
        ],
      }),
    ).toEqual([2, 3]);
  });
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(1, DEFAULT_RETRY, () => 1)).toBe(500);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 1)).toBe(2000);
    expect(backoffDelay(20, DEFAULT_RETRY, () => 1)).toBe(15_000);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0)).toBe(0);
  });
  it('names a video type for the server (which probes anyway)', () => {
    expect(contentTypeFor('x/Film.MOV')).toBe('video/quicktime');
    expect(contentTypeFor('clip')).toBe('video/mp4');
  });
  it('formats sizes and times for a person', () => {
    expect(formatBytes(12_582_912)).toBe('12.6 MB');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(Number.NaN)).toBe('--');
  });
});
