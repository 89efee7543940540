import { describe, expect, it } from 'vitest';
import { metadataFixture } from '../testing/media.fixtures.ts';
import type { RenditionManifest } from '@videoforge/contracts';
import { planPoster, planSprite, renderThumbnailsVtt, thumbnailRenditions } from './thumbnails.ts';

describe('planSprite', () => {
  it('takes one thumbnail a second for short videos', () => {
    expect(planSprite(metadataFixture({}, { durationSeconds: 2.5 }))).toEqual({
      intervalSeconds: 1,
      count: 3,
      columns: 3,
      rows: 1,
      thumbWidth: 160,
      thumbHeight: 90,
    });
  });

  it('spreads at most 100 thumbnails over long videos, ten per row', () => {
    const sprite = planSprite(metadataFixture({}, { durationSeconds: 3600 }));
    expect(sprite).toMatchObject({ intervalSeconds: 36, count: 100, columns: 10, rows: 10 });
  });

  it('keeps portrait thumbnails portrait', () => {
    expect(planSprite(metadataFixture({ displayWidth: 1080, displayHeight: 1920 }))).toMatchObject({
      thumbWidth: 90,
      thumbHeight: 160,
    });
  });
});

describe('renderThumbnailsVtt', () => {
  it('maps each interval to its tile in the sprite', () => {
    const sprite = {
      intervalSeconds: 5,
      count: 3,
      columns: 2,
      rows: 2,
      thumbWidth: 160,
      thumbHeight: 90,
    };
    expect(renderThumbnailsVtt(sprite, 12.5, 'sprite.jpg')).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:05.000',
        'sprite.jpg#xywh=0,0,160,90',
        '',
        '00:00:05.000 --> 00:00:10.000',
        'sprite.jpg#xywh=160,0,160,90',
        '',
        '00:00:10.000 --> 00:00:12.500',
        'sprite.jpg#xywh=0,90,160,90',
        '',
      ].join('\n'),
    );
  });
});

describe('planPoster', () => {
  it('looks a tenth of the way in, at most 30 s, at most 1280 px on the long side', () => {
    expect(planPoster(metadataFixture({}, { durationSeconds: 20 }))).toEqual({
      seekSeconds: 2,
      seek: 'input',
      width: 1280,
      height: 720,
      windowFrames: 75,
    });
    expect(planPoster(metadataFixture({}, { durationSeconds: 3600 })).seekSeconds).toBe(30);
  });

  it('never upscales a small source', () => {
    expect(planPoster(metadataFixture({ displayWidth: 320, displayHeight: 240 }))).toMatchObject({
      width: 320,
      height: 240,
    });
  });
});

describe('thumbnailRenditions', () => {
  const rendition = (
    name: string,
    width: number,
    height: number,
    videoRange?: 'PQ',
  ): RenditionManifest => ({
    version: 1,
    name,
    width,
    height,
    frameRate: { num: 30, den: 1 },
    codecs: 'avc1.64001f',
    hasAudio: false,
    videoBitrateKbps: 1000,
    bandwidth: 1_000_000,
    averageBandwidth: 900_000,
    durationSeconds: 10,
    playlist: 'index.m3u8',
    mp4: `${name}.mp4`,
    segmentCount: 3,
    bytes: 1000,
    ...(videoRange ? { videoRange } : {}),
  });

  it('takes the poster from the smallest SDR rendition as large as the poster, the sprite from the smallest', () => {
    const ladder = [
      rendition('1080p', 1920, 1080),
      rendition('1080p-hdr', 1920, 1080, 'PQ'),
      rendition('720p', 1280, 720),
      rendition('360p', 640, 360),
      rendition('360p-hdr', 640, 360, 'PQ'),
    ];
    const chosen = thumbnailRenditions(ladder);
    expect(chosen?.poster.name).toBe('720p');
    expect(chosen?.sprite.name).toBe('360p');
  });

  it('takes the largest rendition for the poster when every rendition is smaller than the poster, never an HDR twin', () => {
    const chosen = thumbnailRenditions([
      rendition('240p', 320, 240),
      rendition('240p-hdr', 320, 240, 'PQ'),
    ]);
    expect(chosen).toMatchObject({ poster: { name: '240p' }, sprite: { name: '240p' } });
    expect(thumbnailRenditions([rendition('720p-hdr', 1280, 720, 'PQ')])).toBeUndefined();
  });
});
