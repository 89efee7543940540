import { describe, expect, it } from 'vitest';
import { withQualityEvent } from './workload.ts';

const q = (ssim: number) => ({ ssim, psnrDb: 40, sampledSeconds: 6 });

describe('withQualityEvent', () => {
  it('files an event naming no variant, or the rendition itself, as the rendition’s figure', () => {
    const old = withQualityEvent({}, { rendition: '720p', quality: q(0.95) });
    expect(old).toEqual({ quality: { '720p': q(0.95) } });
    // A source below 360p: the stored "240p" answers the asked "360p".
    expect(withQualityEvent({}, { rendition: '360p', variant: '240p', quality: q(0.9) })).toEqual({
      quality: { '360p': q(0.9) },
    });
  });

  it('files a twin’s figure under its rendition, a later one replacing the earlier', () => {
    let measured = withQualityEvent(
      {},
      { rendition: '720p', variant: '720p-av1', quality: q(0.9) },
    );
    measured = withQualityEvent(measured, {
      rendition: '720p',
      variant: '720p-hdr',
      quality: q(0.8),
    });
    measured = withQualityEvent(measured, {
      rendition: '720p',
      variant: '720p-av1',
      quality: q(0.91),
    });
    expect(measured).toEqual({
      twinQuality: {
        '720p': [
          { variant: '720p-hdr', quality: q(0.8) },
          { variant: '720p-av1', quality: q(0.91) },
        ],
      },
    });
  });
});
