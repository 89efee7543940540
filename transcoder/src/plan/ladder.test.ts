import { describe, expect, it } from 'vitest';
import { outputFrameRate } from './output-frame-rate.ts';
import { planLadder, selectRendition, renditionTemplateOf, defaultTemplates } from './ladder.ts';
import { metadataFixture } from '../testing/media.fixtures.ts';

const options = { keyframeIntervalSeconds: 2 };
const sizes = (plan: ReturnType<typeof planLadder>) =>
  plan.renditions.map((rendition) => `${rendition.name} ${rendition.width}x${rendition.height}`);

describe('planLadder', () => {
  it('gives a 1080p landscape source every rendition from 1080p down to the 360p floor', () => {
    const plan = planLadder(metadataFixture(), options);
    expect(sizes(plan)).toEqual([
      '1080p 1920x1080',
      '720p 1280x720',
      '480p 854x480',
      '360p 640x360',
    ]);
    expect(plan.renditions.map((rendition) => rendition.videoBitrateKbps)).toEqual([
      4000, 2000, 1000, 600,
    ]);
  });

  it('adds 2160p for a 4K source', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 3840, displayHeight: 2160 }), options);
    expect(sizes(plan)[0]).toBe('2160p 3840x2160');
    expect(plan.renditions[0]?.videoBitrateKbps).toBe(8000);
    expect(plan.renditions).toHaveLength(5);
  });

  it('keeps portrait sources portrait, naming renditions by their short side', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 1080, displayHeight: 1920 }), options);
    expect(sizes(plan)).toEqual([
      '1080p 1080x1920',
      '720p 720x1280',
      '480p 480x854',
      '360p 360x640',
    ]);
  });

  it('uses the displayed size of a rotated source', () => {
    const rotated = metadataFixture({
      codedWidth: 1920,
      codedHeight: 1080,
      rotation: 90,
      displayWidth: 1080,
      displayHeight: 1920,
    });
    expect(sizes(planLadder(rotated, options))[0]).toBe('1080p 1080x1920');
  });

  it('makes odd sources even without upscaling', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 1921, displayHeight: 1081 }), options);
    expect(sizes(plan)).toEqual([
      '1080p 1920x1080',
      '720p 1280x720',
      '480p 852x480',
      '360p 640x360',
    ]);
    for (const rendition of plan.renditions) {
      expect(rendition.width % 2).toBe(0);
      expect(rendition.height % 2).toBe(0);
    }
  });

  it('never widens past the source when rounding the long side', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 641, displayHeight: 360 }), options);
    expect(sizes(plan)).toEqual(['360p 640x360']);
  });

  it('honours the sample aspect ratio through the display size', () => {
    // 720×576 PAL with 16:15 pixels is shown as 768×576.
    const pal = metadataFixture({
      codedWidth: 720,
      codedHeight: 576,
      sampleAspectRatio: { num: 16, den: 15 },
      displayWidth: 768,
      displayHeight: 576,
    });
    expect(sizes(planLadder(pal, options))).toEqual(['480p 640x480', '360p 480x360']);
  });

  it('gives a source below 360p one rendition at its own even size', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 321, displayHeight: 241 }), options);
    expect(sizes(plan)).toEqual(['240p 320x240']);
    expect(plan.renditions[0]?.videoBitrateKbps).toBe(600);
  });

  it('caps bit rates at the source video bit rate, with a floor for bogus metadata', () => {
    const capped = planLadder(metadataFixture({ bitRateKbps: 1500 }), options);
    expect(
      capped.renditions.map((rendition) => [
        rendition.videoBitrateKbps,
        rendition.maxrateKbps,
        rendition.bufsizeKbps,
      ]),
    ).toEqual([
      [1500, 1500, 3000],
      [1500, 1500, 3000],
      [1000, 1000, 2000],
      [600, 600, 1200],
    ]);
    const bogus = planLadder(metadataFixture({ bitRateKbps: 3 }), options);
    expect(bogus.renditions.map((rendition) => rendition.videoBitrateKbps)).toEqual([
      100, 100, 100, 100,
    ]);
  });

  it('falls back to the container bit rate minus audio when the stream has none', () => {
    const plan = planLadder(metadataFixture({}, { bitRateKbps: 1128 }), options);
    expect(plan.renditions[0]?.videoBitrateKbps).toBe(1000);
  });

  it('plans stereo AAC only when the source has audio', () => {
    expect(planLadder(metadataFixture(), options).audio).toEqual({
      codec: 'aac',
      bitrateKbps: 128,
      channels: 2,
      sampleRate: 48000,
    });
    expect(planLadder(metadataFixture({}, { audio: null }), options).audio).toBeNull();
  });

  it('shares one GOP length, in frames, across renditions', () => {
    expect(planLadder(metadataFixture(), options).gopFrames).toBe(50);
    const ntsc = metadataFixture({
      frameRate: { num: 30000, den: 1001 },
      averageFrameRate: { num: 30000, den: 1001 },
    });
    expect(planLadder(ntsc, options).gopFrames).toBe(60);
  });

  it('caps the frame rate at 60 by keeping every n-th frame', () => {
    const rate = (num: number, den = 1) =>
      planLadder(
        metadataFixture({ frameRate: { num, den }, averageFrameRate: { num, den } }),
        options,
      ).frameRate;
    expect(rate(120)).toEqual({ num: 60, den: 1 });
    expect(rate(120000, 1001)).toEqual({ num: 60000, den: 1001 });
    expect(rate(144)).toEqual({ num: 48, den: 1 });
    expect(rate(100)).toEqual({ num: 50, den: 1 });
    expect(rate(60)).toEqual({ num: 60, den: 1 });
    expect(rate(24000, 1001)).toEqual({ num: 24000, den: 1001 });
  });

  it('gives variable-frame-rate sources a standard constant rate at or above their average', () => {
    const vfr = (average: { num: number; den: number }) =>
      outputFrameRate(
        { frameRate: { num: 30, den: 1 }, averageFrameRate: average, variableFrameRate: true },
        60,
      );
    expect(vfr({ num: 59, den: 2 })).toEqual({ num: 30000, den: 1001 });
    expect(vfr({ num: 20, den: 1 })).toEqual({ num: 24000, den: 1001 });
    expect(vfr({ num: 25, den: 1 })).toEqual({ num: 25, den: 1 });
  });

  it('uses requested templates, such as a custom rendition from a TranscodeJob spec', () => {
    const templates = [
      ...defaultTemplates(),
      renditionTemplateOf({ name: '540p', height: 540, videoBitrate: '1500k' }),
    ];
    const plan = planLadder(metadataFixture(), { ...options, templates });
    expect(sizes(plan)).toContain('540p 960x540');
  });
});

describe('selectRendition', () => {
  it('finds a planned rendition by name and skips one above the source', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 1280, displayHeight: 720 }), options);
    expect(selectRendition(plan, '720p')).toMatchObject({ width: 1280, height: 720 });
    expect(selectRendition(plan, '1080p')).toBeUndefined();
  });

  it('answers the floor rendition with the source-sized rendition for tiny sources', () => {
    const plan = planLadder(metadataFixture({ displayWidth: 320, displayHeight: 240 }), options);
    expect(selectRendition(plan, '360p')).toMatchObject({ name: '240p', width: 320, height: 240 });
    expect(selectRendition(plan, '480p')).toBeUndefined();
  });
});
