import { describe, expect, it } from 'vitest';
import { allowedFormats, defaultFormats, formatOptions } from './formats.ts';

const disabled = (probe?: { width: number; height: number }) =>
  formatOptions(probe && { ...probe, durationSeconds: 1 })
    .filter((option) => option.disabled)
    .map((option) => option.format);

describe('formats selection', () => {
  it('enables every rendition until the source is probed', () => {
    expect(disabled()).toEqual([]);
    expect(formatOptions(undefined).map((o) => o.format)).toEqual([
      '2160p',
      '1080p',
      '720p',
      '480p',
      '360p',
    ]);
  });

  it('disables renditions above the short side, landscape and portrait alike', () => {
    expect(disabled({ width: 1280, height: 720 })).toEqual(['2160p', '1080p']);
    expect(disabled({ width: 720, height: 1280 })).toEqual(['2160p', '1080p']);
    expect(disabled({ width: 3840, height: 2160 })).toEqual([]);
  });

  it('keeps the lowest rendition for sources smaller than it', () => {
    expect(disabled({ width: 320, height: 240 })).toEqual(['2160p', '1080p', '720p', '480p']);
    expect(defaultFormats({ width: 320, height: 240, durationSeconds: 1 })).toEqual(['360p']);
    // …shown as the rendition that will be made, under the name the player will show.
    const lowest = formatOptions({ width: 160, height: 120, durationSeconds: 1 }).at(-1);
    expect(lowest).toMatchObject({ format: '360p', label: '120p (source size)', disabled: false });
    expect(formatOptions({ width: 640, height: 360, durationSeconds: 1 }).at(-1)?.label).toBe(
      '360p',
    );
  });

  it('defaults to what the source can fill and drops choices a probe rules out', () => {
    const probe = { width: 854, height: 480, durationSeconds: 1 };
    expect(defaultFormats(probe)).toEqual(['480p', '360p']);
    expect(allowedFormats(['1080p', '480p'], probe)).toEqual(['480p']);
  });
});
