import { MediaMetadata } from '@videoforge/contracts';
import { describe, expect, it } from 'vitest';
import { classifySourceError, interpretFfprobe } from './probe.parser.ts';

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

describe('interpretFfprobe', () => {
  it('describes a landscape H.264 source', () => {
    const result = interpretFfprobe(ffprobeJson({}, {}, [stereo]));
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
          dynamicRange: 'SDR',
        },
        audio: {
          index: 1,
          codec: 'aac',
          channels: 2,
          channelLayout: 'stereo',
          sampleRate: 48000,
          bitRateKbps: 128,
          isDefault: false,
        },
        audioTracks: [expect.objectContaining({ index: 1, codec: 'aac' })],
        subtitles: [],
      },
      startTimeSeconds: 0,
      videoFrameCount: undefined,
    });
  });

  it('reads HDR10 (PQ), HLG and Dolby Vision base layers from transfer and side data', () => {
    const pq = interpretFfprobe(
      ffprobeJson({
        codec_name: 'hevc',
        pix_fmt: 'yuv420p10le',
        color_range: 'tv',
        color_space: 'bt2020nc',
        color_transfer: 'smpte2084',
        color_primaries: 'bt2020',
        field_order: 'progressive',
      }),
    );
    expect(pq.ok && pq.metadata.video).toMatchObject({
      dynamicRange: 'PQ',
      colour: { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', range: 'tv' },
      fieldOrder: 'progressive',
    });
    const hlg = interpretFfprobe(ffprobeJson({ color_transfer: 'arib-std-b67' }));
    expect(hlg.ok && hlg.metadata.video.dynamicRange).toBe('HLG');
    const dolby = (compatibility: number) =>
      interpretFfprobe(
        ffprobeJson({
          // A DV profile 8 stream whose VUI does not state the transfer.
          color_transfer: 'unknown',
          side_data_list: [
            {
              side_data_type: 'DOVI configuration record',
              dv_profile: 8,
              dv_bl_signal_compatibility_id: compatibility,
            },
          ],
        }),
      );
    const dv81 = dolby(1);
    expect(dv81.ok && dv81.metadata.video).toMatchObject({
      dynamicRange: 'PQ',
      dolbyVision: { profile: 8, compatibilityId: 1 },
    });
    expect(dv81.ok && dv81.metadata.video.colour).toBeUndefined();
    const dv84 = dolby(4);
    expect(dv84.ok && dv84.metadata.video.dynamicRange).toBe('HLG');
    const dv82 = dolby(2);
    expect(dv82.ok && dv82.metadata.video.dynamicRange).toBe('SDR');
  });

  it('reads field order and start times (MPEG-TS starts at 1–2 s)', () => {
    const ts = interpretFfprobe(
      ffprobeJson(
        { field_order: 'tt', start_time: '2.800000' },
        { format_name: 'mpegts', start_time: '2.789978' },
      ),
    );
    expect(ts.ok && ts.metadata).toMatchObject({
      startTimeSeconds: 2.789978,
      video: { fieldOrder: 'tt', startTimeSeconds: 2.8 },
    });
    const odd = interpretFfprobe(ffprobeJson({ field_order: 'weird' }));
    expect(odd.ok && odd.metadata.video.fieldOrder).toBe('unknown');
  });

  it('swaps display dimensions for a quarter-turn display matrix', () => {
    const result = interpretFfprobe(
      ffprobeJson({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }),
    );
    expect(result.ok && result.metadata.video).toMatchObject({
      rotation: 90,
      displayWidth: 1080,
      displayHeight: 1920,
    });
  });

  it('reads the legacy rotate tag and ignores half turns for dimensions', () => {
    const result = interpretFfprobe(ffprobeJson({ tags: { rotate: '180' } }));
    expect(result.ok && result.metadata.video).toMatchObject({
      rotation: 180,
      displayWidth: 1920,
      displayHeight: 1080,
    });
  });

  it('applies the sample aspect ratio', () => {
    const result = interpretFfprobe(
      ffprobeJson({ width: 720, height: 576, sample_aspect_ratio: '16:15' }),
    );
    expect(result.ok && result.metadata.video).toMatchObject({
      displayWidth: 768,
      displayHeight: 576,
    });
  });

  it('flags variable frame rate and 10-bit sources', () => {
    const result = interpretFfprobe(
      ffprobeJson({
        r_frame_rate: '30/1',
        avg_frame_rate: '20/1',
        pix_fmt: 'yuv420p10le',
        bits_per_raw_sample: undefined,
      }),
    );
    expect(result.ok && result.metadata.video).toMatchObject({
      variableFrameRate: true,
      bitDepth: 10,
    });
  });

  it('takes the default-disposition audio track as the main mix, not the first', () => {
    const commentary = { ...stereo, index: 1, tags: { language: 'eng', title: 'Commentary' } };
    const main = { ...stereo, index: 2, disposition: { default: 1 }, tags: { language: 'eng' } };
    const subtitle = {
      index: 3,
      codec_type: 'subtitle',
      codec_name: 'hdmv_pgs_subtitle',
      tags: { language: 'und' },
    };
    const result = interpretFfprobe(ffprobeJson({}, {}, [commentary, main, subtitle]));
    expect(result.ok && result.metadata.audio).toMatchObject({
      index: 2,
      isDefault: true,
      language: 'eng',
    });
    expect(result.ok && result.metadata.audioTracks?.map((t) => [t.index, t.title])).toEqual([
      [1, 'Commentary'],
      [2, undefined],
    ]);
    expect(result.ok && result.metadata.subtitles).toEqual([
      { index: 3, codec: 'hdmv_pgs_subtitle', isDefault: false, forced: false },
    ]);
  });

  it('falls back to the first audio track when none is marked default', () => {
    const result = interpretFfprobe(ffprobeJson({}, {}, [stereo, { ...stereo, index: 2 }]));
    expect(result.ok && result.metadata.audio?.index).toBe(1);
  });

  it('reports a source without audio as audio: null', () => {
    const result = interpretFfprobe(ffprobeJson());
    expect(result.ok && result.metadata.audio).toBeNull();
  });

  it('reads a display matrix into the contracts schema', () => {
    const result = interpretFfprobe(
      ffprobeJson({ side_data_list: [{ rotation: -90 }] }, {}, [stereo]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(MediaMetadata.parse(result.metadata)).toEqual(result.metadata);
  });

  it("states the start time and a declared frame count for callers' own checks", () => {
    const result = interpretFfprobe(ffprobeJson({ nb_frames: '300' }, { start_time: '1.500000' }));
    expect(result).toMatchObject({ ok: true, startTimeSeconds: 1.5, videoFrameCount: 300 });
  });

  const refusals: Array<[string, unknown, string]> = [
    ['no format at all', { streams: [] }, 'unreadable'],
    ['garbage', { nonsense: true }, 'unreadable'],
    [
      'zero duration',
      { streams: [], format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '0.000000' } },
      'zero-duration',
    ],
    [
      'zero duration with a video stream',
      ffprobeJson({ duration: undefined }, { duration: '0' }),
      'zero-duration',
    ],
    ['a still image', ffprobeJson({}, { format_name: 'png_pipe', duration: '1' }), 'still-image'],
    [
      'audio only',
      { streams: [stereo], format: { format_name: 'mp3', duration: '5' } },
      'no-video-stream',
    ],
    ['cover art only', ffprobeJson({ disposition: { attached_pic: 1 } }), 'no-video-stream'],
    ['no dimensions', ffprobeJson({ width: undefined, height: undefined }), 'unreadable'],
    [
      'no frame rate',
      ffprobeJson({ r_frame_rate: '0/0', avg_frame_rate: '0/0' }),
      'unknown-frame-rate',
    ],
  ];
  it.each(refusals)('refuses %s', (_name, json, code) => {
    const result = interpretFfprobe(json);
    expect(result).toMatchObject({ ok: false, reason: { kind: 'bad-input', code } });
    expect(!result.ok && result.reason.message.length).toBeGreaterThan(10);
  });

  it("applies no size or duration limits: those are the caller's policy", () => {
    expect(
      interpretFfprobe(ffprobeJson({ width: 3840, height: 2160 }, { duration: '36000' })).ok,
    ).toBe(true);
    expect(interpretFfprobe(ffprobeJson({ width: 8, height: 8 })).ok).toBe(true);
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
