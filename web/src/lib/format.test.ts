import { describe, expect, it } from 'vitest';
import { formatRenditionQuality } from './format.ts';

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
