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
  });
});
