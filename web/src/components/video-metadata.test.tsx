// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { aVideo } from '../lib/video.fixtures.ts';
import { VideoMetadata } from './video-metadata.tsx';

afterEach(cleanup);

describe('VideoMetadata', () => {
  it('says an HDR source was tone-mapped and an interlaced one deinterlaced', () => {
    render(
      <VideoMetadata
        video={aVideo({
          processing: {
            sourceDynamicRange: 'PQ',
            toneMapped: true,
            toneMapCurve: 'mobius',
            interlaceDetectedBy: 'field-order',
            deinterlaced: 'field-rate',
          },
        })}
      />,
    );
    expect(screen.getByTestId('metadata-dynamic-range').textContent).toBe('HDR10 (PQ)');
    expect(screen.getByTestId('metadata-tone-mapping').textContent).toBe('to SDR BT.709 (mobius)');
    expect(screen.getByTestId('metadata-deinterlacing').textContent).toBe(
      'bwdif, one frame per field',
    );
  });

  it('shows nothing about processing before a rendition is done', () => {
    render(<VideoMetadata video={aVideo({})} />);
    expect(screen.queryByTestId('metadata-dynamic-range')).toBeNull();
    expect(screen.queryByRole('list', { name: /measured quality/i })).toBeNull();
  });

  it('lists each measured rendition’s SSIM and PSNR', () => {
    render(
      <VideoMetadata
        video={aVideo({
          renditions: [
            { name: '720p', quality: { ssim: 0.9941, psnrDb: 44.62, sampledSeconds: 6 } },
            { name: '360p', quality: { ssim: 0.9812, psnrDb: 39.04, sampledSeconds: 6 } },
          ],
        })}
      />,
    );
    const items = screen.getByRole('list', { name: /measured quality/i }).querySelectorAll('li');
    expect([...items].map((item) => item.textContent)).toEqual([
      '720p · SSIM 0.994 · 44.6 dB',
      '360p · SSIM 0.981 · 39.0 dB',
    ]);
  });

  it('shows each codec family’s own figure under its rendition', () => {
    render(
      <VideoMetadata
        video={aVideo({
          renditions: [
            {
              name: '720p',
              quality: { ssim: 0.9941, psnrDb: 44.62, sampledSeconds: 6 },
              twins: [
                {
                  variant: '720p-hevc',
                  quality: { ssim: 0.9921, psnrDb: 43.0, sampledSeconds: 6 },
                },
                {
                  variant: '720p-av1',
                  quality: { ssim: 0.9903, psnrDb: 42.14, sampledSeconds: 6 },
                },
                {
                  variant: '720p-hdr',
                  quality: { ssim: 0.9812, psnrDb: 47.21, sampledSeconds: 6 },
                },
              ],
            },
          ],
        })}
      />,
    );
    const items = screen.getByRole('list', { name: /measured quality/i }).querySelectorAll('li');
    expect([...items].map((item) => item.textContent)).toEqual([
      '720p · SSIM 0.994 · 44.6 dB',
      '720p HEVC · SSIM 0.992 · 43.0 dB',
      '720p AV1 · SSIM 0.990 · 42.1 dB',
      '720p HDR · SSIM 0.981 · 47.2 dB (PQ/HLG domain, not comparable with SDR)',
    ]);
  });
});
