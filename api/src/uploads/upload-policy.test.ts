import { describe, expect, it } from 'vitest';
import {
  defaultFormats,
  partLength,
  partPlan,
  pinnedKey,
  rawKey,
  sanitiseFilename,
} from './upload-policy.ts';

describe('upload policy', () => {
  it('reduces file names to a safe base name', () => {
    expect(sanitiseFilename('holiday clip (1).mp4')).toBe('holiday_clip_1_.mp4');
    expect(sanitiseFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFilename('C:\\Users\\me\\film.mov')).toBe('film.mov');
    expect(sanitiseFilename('..')).toBe('video');
    expect(sanitiseFilename('.hidden.mp4')).toBe('hidden.mp4');
    expect(sanitiseFilename('a\u0000b.mp4')).toBe('a_b.mp4');
  });

  it('builds raw keys under the user and upload', () => {
    expect(rawKey('7', '0b8f4a52-6f4e-4a47-9a57-5c3d3b1f1f10', '../x.mp4')).toBe(
      'videos/raw/7/0b8f4a52-6f4e-4a47-9a57-5c3d3b1f1f10/x.mp4',
    );
  });

  it('plans parts within S3 limits', () => {
    const MiB = 1024 * 1024;
    expect(partPlan(10 * MiB, 16 * MiB)).toEqual({ partSize: 16 * MiB, partCount: 1 });
    expect(partPlan(100 * MiB, 16 * MiB)).toEqual({ partSize: 16 * MiB, partCount: 7 });
    const huge = partPlan(500 * 1024 * MiB, 16 * MiB);
    expect(huge.partCount).toBeLessThanOrEqual(10_000);
    expect(huge.partSize * huge.partCount).toBeGreaterThanOrEqual(500 * 1024 * MiB);
  });

  it('defaults to the ladder up to the source, never above it', () => {
    expect(defaultFormats(1920, 1080)).toEqual(['1080p', '720p', '480p', '360p']);
    expect(defaultFormats(1080, 1920)).toEqual(['1080p', '720p', '480p', '360p']);
    expect(defaultFormats(320, 240)).toEqual(['240p']);
    expect(defaultFormats(160, 120)).toEqual(['120p']);
  });

  it('cuts an upload into exact part lengths, the last one shorter', () => {
    const MiB = 1024 * 1024;
    const { partSize, partCount } = partPlan(12 * MiB + 1, 5 * MiB);
    expect(partCount).toBe(3);
    expect([1, 2, 3].map((n) => partLength(12 * MiB + 1, partSize, n))).toEqual([
      5 * MiB,
      5 * MiB,
      2 * MiB + 1,
    ]);
  });

  it('pins a completed single upload beside the key its URL was signed for', () => {
    expect(pinnedKey('videos/raw/7/0b9f0c7e-1111-4222-8333-444455556666/cat.mp4')).toBe(
      'videos/raw/7/0b9f0c7e-1111-4222-8333-444455556666/pinned_cat.mp4',
    );
  });
});
