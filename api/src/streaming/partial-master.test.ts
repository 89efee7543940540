import { describe, expect, it } from 'vitest';
import type { RenditionManifest } from '@videoforge/contracts';
import { renderPartialMaster } from './partial-master.ts';
import { rewriteThumbnailsVtt, thumbnailImageUris } from './playlist-rewrite.ts';

const manifest = (name: string, height: number, bandwidth: number): RenditionManifest => ({
  version: 1,
  name,
  width: Math.round((height * 16) / 9),
  height,
  frameRate: { num: 30000, den: 1001 },
  codecs: 'avc1.64001f,mp4a.40.2',
  hasAudio: true,
  videoBitrateKbps: 1000,
  bandwidth,
  averageBandwidth: bandwidth - 1000,
  durationSeconds: 8,
  playlist: 'index.m3u8',
  mp4: `${name}.mp4`,
  segmentCount: 2,
  bytes: 1,
});

describe('partial master playlist', () => {
  it('lists the finished renditions, highest bandwidth first', () => {
    expect(renderPartialMaster([manifest('360p', 360, 800_000), manifest('720p', 720, 2_600_000)]))
      .toBe(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=2600000,AVERAGE-BANDWIDTH=2599000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=799000,RESOLUTION=640x360,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970
360p/index.m3u8
`);
  });
});

describe('thumbnails track rewriting', () => {
  const vtt = `WEBVTT

00:00:00.000 --> 00:00:01.000
sprite.jpg#xywh=0,0,160,90

00:00:01.000 --> 00:00:02.000
sprite.jpg#xywh=160,0,160,90

00:00:02.000 --> 00:00:03.000
https://evil.example/x.jpg#xywh=0,0,1,1
`;

  it('finds each image once', () => {
    expect(thumbnailImageUris(vtt)).toEqual(['sprite.jpg', 'https://evil.example/x.jpg']);
  });

  it('signs known images, keeps the fragments, drops the rest', () => {
    expect(rewriteThumbnailsVtt(vtt, new Map([['sprite.jpg', 'https://s.test/sprite.jpg?sig=1']])))
      .toBe(`WEBVTT

00:00:00.000 --> 00:00:01.000
https://s.test/sprite.jpg?sig=1#xywh=0,0,160,90

00:00:01.000 --> 00:00:02.000
https://s.test/sprite.jpg?sig=1#xywh=160,0,160,90
`);
  });
});
