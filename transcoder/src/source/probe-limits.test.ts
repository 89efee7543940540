import { describe, expect, it } from 'vitest';
import { metadataFixture } from '../testing/media.fixtures.ts';
import {
  assessTail,
  checkProbeLimits,
  DEFAULT_PROBE_LIMITS,
  interpretProbe,
} from './probe-limits.ts';

type Video = Parameters<typeof metadataFixture>[0];

function probed(video: Video = {}, durationSeconds = 10, videoFrameCount?: number) {
  return {
    metadata: metadataFixture(video, { durationSeconds }),
    startTimeSeconds: 0,
    videoFrameCount,
  };
}

describe('checkProbeLimits', () => {
  it('accepts an ordinary source as it was probed', () => {
    const source = probed();
    expect(checkProbeLimits(source, DEFAULT_PROBE_LIMITS)).toEqual({
      ok: true,
      metadata: source.metadata,
    });
  });

  const refusals: Array<[string, ReturnType<typeof probed>, string]> = [
    ['a single frame', probed({}, 0.04, 1), 'too-short'],
    ['a single declared frame', probed({}, 10, 1), 'too-short'],
    ['wider than 8192', probed({ codedWidth: 8200, codedHeight: 16 }), 'dimensions-too-large'],
    ['tiny', probed({ codedWidth: 8, codedHeight: 8 }), 'dimensions-too-small'],
    ['over an hour of 4K', probed({ codedWidth: 3840, codedHeight: 2160 }, 3700), 'uhd-too-long'],
  ];
  it.each(refusals)('refuses %s', (_name, source, code) => {
    const result = checkProbeLimits(source, DEFAULT_PROBE_LIMITS);
    expect(result).toMatchObject({ ok: false, reason: { kind: 'bad-input', code } });
    expect(!result.ok && result.reason.message.length).toBeGreaterThan(10);
  });

  it('accepts long 4K when configured to', () => {
    const source = probed({ codedWidth: 3840, codedHeight: 2160 }, 3700);
    expect(
      checkProbeLimits(source, { ...DEFAULT_PROBE_LIMITS, maxUhdDurationSeconds: 7200 }).ok,
    ).toBe(true);
    // 1440p is not 4K-class.
    expect(
      checkProbeLimits(probed({ codedWidth: 2560, codedHeight: 1440 }, 3700), DEFAULT_PROBE_LIMITS)
        .ok,
    ).toBe(true);
  });
});

describe('interpretProbe', () => {
  const uhdHour = {
    streams: [
      {
        index: 0,
        codec_type: 'video',
        codec_name: 'h264',
        width: 3840,
        height: 2160,
        r_frame_rate: '30/1',
      },
    ],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '3700' },
  };

  it('parses with the platform probe, then applies the limits', () => {
    expect(interpretProbe(uhdHour, DEFAULT_PROBE_LIMITS)).toMatchObject({
      ok: false,
      reason: { code: 'uhd-too-long' },
    });
    expect(interpretProbe({ streams: [] }, DEFAULT_PROBE_LIMITS)).toMatchObject({
      ok: false,
      reason: { code: 'unreadable' },
    });
  });

  it('hands back only the metadata', () => {
    const result = interpretProbe(uhdHour, {
      ...DEFAULT_PROBE_LIMITS,
      maxUhdDurationSeconds: 7200,
    });
    expect(Object.keys(result)).toEqual(['ok', 'metadata']);
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
