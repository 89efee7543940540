import { describe, expect, it } from 'vitest';
import {
  assessTail,
  classifySourceError,
  DEFAULT_PROBE_LIMITS,
  interpretProbe,
} from './probe.parser.ts';

function ffprobeJson(
  video: Record<string, unknown> = {},
  format: Record<string, unknown> = {},
  extraStreams: Array<Record<string, unknown>> = [],
) {
  return {
    streams: [
      {
        index: 0,
        codec_type: 'video',
        codec_name: 'h264',
        profile: 'High',
        width: 1920,
        height: 1080,
        pix_fmt: 'yuv420p',
        sample_aspect_ratio: '1:1',
        r_frame_rate: '30/1',
        avg_frame_rate: '30/1',
        bit_rate: '5000000',
        bits_per_raw_sample: '8',
        duration: '12.000000',
        ...video,
      },
      ...extraStreams,
    ],
    format: {
      format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
      duration: '12.000000',
      size: '7500000',
      bit_rate: '5000000',
      ...format,
    },
  };
}

const stereo = {
  index: 1,
  codec_type: 'audio',
  codec_name: 'aac',
  channels: 2,
  channel_layout: 'stereo',
  sample_rate: '48000',
  bit_rate: '128000',
};

describe('interpretProbe', () => {
  it('describes a landscape H.264 source', () => {
    const result = interpretProbe(ffprobeJson({}, {}, [stereo]), DEFAULT_PROBE_LIMITS);
    expect(result).toEqual({
      ok: true,
      metadata: {
        container: 'mov,mp4,m4a,3gp,3g2,mj2',
        durationSeconds: 12,
        sizeBytes: 7500000,
        bitRateKbps: 5000,
        video: {
          index: 0,
          codec: 'h264',
          profile: 'High',
          pixelFormat: 'yuv420p',
          bitDepth: 8,
          codedWidth: 1920,
          codedHeight: 1080,
          sampleAspectRatio: { num: 1, den: 1 },
          rotation: 0,
          displayWidth: 1920,
          displayHeight: 1080,
          frameRate: { num: 30, den: 1 },
          averageFrameRate: { num: 30, den: 1 },
          variableFrameRate: false,
          bitRateKbps: 5000,
          durationSeconds: 12,
        },
        audio: {
          index: 1,
          codec: 'aac',
          channels: 2,
          channelLayout: 'stereo',
          sampleRate: 48000,
          bitRateKbps: 128,
        },
      },
    });
  });

  it('swaps display dimensions for a quarter-turn display matrix', () => {
    const result = interpretProbe(
      ffprobeJson({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }),
      DEFAULT_PROBE_LIMITS,
    );
    expect(result.ok && result.metadata.video).toMatchObject({
      rotation: 90,
      displayWidth: 1080,
      displayHeight: 1920,
    });
  });

  it('reads the legacy rotate tag and ignores half turns for dimensions', () => {
    const result = interpretProbe(ffprobeJson({ tags: { rotate: '180' } }), DEFAULT_PROBE_LIMITS);
    expect(result.ok && result.metadata.video).toMatchObject({
      rotation: 180,
      displayWidth: 1920,
      displayHeight: 1080,
    });
  });

  it('applies the sample aspect ratio', () => {
    const result = interpretProbe(
      ffprobeJson({ width: 720, height: 576, sample_aspect_ratio: '16:15' }),
      DEFAULT_PROBE_LIMITS,
    );
    expect(result.ok && result.metadata.video).toMatchObject({
      displayWidth: 768,
      displayHeight: 576,
    });
  });

  it('flags variable frame rate and 10-bit sources', () => {
    const result = interpretProbe(
      ffprobeJson({
        r_frame_rate: '30/1',
        avg_frame_rate: '20/1',
        pix_fmt: 'yuv420p10le',
        bits_per_raw_sample: undefined,
      }),
      DEFAULT_PROBE_LIMITS,
    );
    expect(result.ok && result.metadata.video).toMatchObject({
      variableFrameRate: true,
      bitDepth: 10,
    });
  });

  it('reports a source without audio as audio: null', () => {
    const result = interpretProbe(ffprobeJson(), DEFAULT_PROBE_LIMITS);
    expect(result.ok && result.metadata.audio).toBeNull();
  });

  const refusals: Array<[string, unknown, string]> = [
    ['no format at all', { streams: [] }, 'unreadable'],
    [
      'zero duration',
      { streams: [], format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '0.000000' } },
      'zero-duration',
    ],
    [
      'audio only',
      { streams: [stereo], format: { format_name: 'mp3', duration: '5' } },
      'no-video-stream',
    ],
    ['cover art only', ffprobeJson({ disposition: { attached_pic: 1 } }), 'no-video-stream'],
    [
      'a single frame',
      ffprobeJson({ nb_frames: '1', duration: '0.04' }, { duration: '0.04' }),
      'too-short',
    ],
    ['wider than 8192', ffprobeJson({ width: 8200, height: 16 }), 'dimensions-too-large'],
    ['tiny', ffprobeJson({ width: 8, height: 8 }), 'dimensions-too-small'],
    [
      'no frame rate',
      ffprobeJson({ r_frame_rate: '0/0', avg_frame_rate: '0/0' }),
      'unknown-frame-rate',
    ],
    [
      'over an hour of 4K',
      ffprobeJson({ width: 3840, height: 2160 }, { duration: '3700' }),
      'uhd-too-long',
    ],
  ];
  it.each(refusals)('refuses %s', (_name, json, code) => {
    const result = interpretProbe(json, DEFAULT_PROBE_LIMITS);
    expect(result).toMatchObject({ ok: false, reason: { kind: 'bad-input', code } });
    expect(!result.ok && result.reason.message.length).toBeGreaterThan(10);
  });

  it('accepts long 4K when configured to', () => {
    const json = ffprobeJson({ width: 3840, height: 2160 }, { duration: '3700' });
    expect(interpretProbe(json, { ...DEFAULT_PROBE_LIMITS, maxUhdDurationSeconds: 7200 }).ok).toBe(
      true,
    );
    // 1440p is not 4K-class.
    expect(
      interpretProbe(
        ffprobeJson({ width: 2560, height: 1440 }, { duration: '3700' }),
        DEFAULT_PROBE_LIMITS,
      ).ok,
    ).toBe(true);
  });
});

describe('classifySourceError', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'an image',
      "[jpeg_pipe @ 0x55] Format not on whitelist 'mov,...'\nfile:x.mp4: Invalid argument",
      'bad-input',
      'still-image',
    ],
    [
      'a playlist',
      "[hls @ 0x55] Format not on whitelist 'mov,...'",
      'bad-input',
      'format-not-allowed',
    ],
    [
      'a concat list',
      "[concat @ 0x55] Format not on whitelist 'mov,...'",
      'bad-input',
      'format-not-allowed',
    ],
    [
      'a nested protocol',
      "[hls @ 0x5] Protocol 'file' not on whitelist 'https,tls,tcp'!",
      'bad-input',
      'source-not-allowed',
    ],
    [
      'an MP4 without its index',
      '[mov,mp4 @ 0x5] moov atom not found\nx: Invalid data found when processing input',
      'bad-input',
      'unreadable',
    ],
    ['text', 'x.mp4: Invalid data found when processing input', 'bad-input', 'unreadable'],
    [
      'a missing object',
      'https://s3/x: Server returned 404 Not Found',
      'bad-input',
      'source-not-found',
    ],
    [
      'an expired URL',
      'https://s3/x: Server returned 403 Forbidden (access denied)',
      'transient',
      'source-unreachable',
    ],
    [
      'a server error',
      'https://s3/x: Server returned 5XX Server Error reply',
      'transient',
      'source-unreachable',
    ],
    [
      'a refused connection',
      'Connection to tcp://127.0.0.1:9 failed: Connection refused',
      'transient',
      'source-unreachable',
    ],
    ['anything else', 'Segmentation fault', 'transient', 'probe-failed'],
  ];
  it.each(cases)('classifies %s', (_name, stderr, kind, code) => {
    expect(classifySourceError(stderr)).toMatchObject({ kind, code });
  });
});

describe('assessTail', () => {
  it('accepts packets up to the declared end', () => {
    expect(assessTail([9.0, 9.5, 9.96], 10, 0.04)).toBeUndefined();
    // One frame every two minutes: the last is shown until the end.
    expect(assessTail([3480, 3600], 3720, 120)).toBeUndefined();
  });

  it('refuses a file whose packets stop early or are missing', () => {
    expect(assessTail([], 10, 0.04)).toMatchObject({ ok: false, reason: { code: 'truncated' } });
    expect(assessTail([1, 2, 3.5], 10, 0.04)).toMatchObject({
      ok: false,
      reason: { code: 'truncated' },
    });
  });
});
