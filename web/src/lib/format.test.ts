import { describe, expect, it } from 'vitest';
import { formatRenditionQuality, formatTwinQuality } from './format.ts';

describe('formatRenditionQuality', () => {
  it('names the rendition with its SSIM to three decimals and PSNR to one', () => {
    expect(formatRenditionQuality('720p', { ssim: 0.99412, psnrDb: 44.62 })).toBe(
      '720p · SSIM 0.994 · 44.6 dB',
    );
  });

  it('never shows a lossy encode as a perfect SSIM', () => {
    expect(formatRenditionQuality('1080p', { ssim: 0.99997, psnrDb: 58.04 })).toBe(
      '1080p · SSIM 0.999 · 58.0 dB',
    );
  });
});

describe('formatTwinQuality', () => {
  it('names a twin by its codec family', () => {
    expect(formatTwinQuality('720p-av1', { ssim: 0.9903, psnrDb: 42.14 })).toBe(
      '720p AV1 · SSIM 0.990 · 42.1 dB',
    );
    expect(formatTwinQuality('720p-hevc', { ssim: 0.9921, psnrDb: 43.0 })).toBe(
      '720p HEVC · SSIM 0.992 · 43.0 dB',
    );
  });

  it('says the HDR twin’s figure is in the PQ/HLG domain', () => {
    expect(formatTwinQuality('720p-hdr', { ssim: 0.9812, psnrDb: 47.21 })).toBe(
      '720p HDR · SSIM 0.981 · 47.2 dB (PQ/HLG domain, not comparable with SDR)',
    );
  });
});
