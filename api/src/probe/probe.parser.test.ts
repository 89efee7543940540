import { MediaMetadata } from '@videoforge/contracts';
import { describe, expect, it } from 'vitest';
import { interpretFfprobe } from './probe.parser.ts';

const clip = {
  streams: [
    {
      index: 0,
      codec_type: 'video',
      codec_name: 'h264',
      width: 1920,
      height: 1080,
      r_frame_rate: '25/1',
      avg_frame_rate: '25/1',
      bit_rate: '4000000',
      side_data_list: [{ rotation: -90 }],
    },
    { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '48000' },
  ],
  format: {
    format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
    duration: '2.000000',
    size: '123456',
    bit_rate: '500000',
  },
};

describe('interpretFfprobe', () => {
  it('reads a video into the contracts schema, rotation applied', () => {
    const outcome = interpretFfprobe(clip);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(MediaMetadata.parse(outcome.metadata)).toEqual(outcome.metadata);
    expect(outcome.metadata).toMatchObject({
      durationSeconds: 2,
      video: { rotation: 90, displayWidth: 1080, displayHeight: 1920 },
      audio: { codec: 'aac' },
    });
  });

  it('refuses images, audio-only, zero-length and garbage', () => {
    expect(
      interpretFfprobe({
        streams: clip.streams,
        format: { format_name: 'png_pipe', duration: '1' },
      }),
    ).toMatchObject({ ok: false, code: 'still-image' });
    expect(interpretFfprobe({ streams: [clip.streams[1]], format: clip.format })).toMatchObject({
      ok: false,
      code: 'no-video-stream',
    });
    expect(
      interpretFfprobe({ streams: clip.streams, format: { format_name: 'mp4', duration: '0' } }),
    ).toMatchObject({ ok: false, code: 'zero-duration' });
    expect(interpretFfprobe({ nonsense: true })).toMatchObject({ ok: false, code: 'unreadable' });
  });
});
