import { describe, expect, it } from 'vitest';
import {
  playlistUris,
  resolveInside,
  rewritePlaylist,
  rewriteThumbnailsVtt,
  segmentUrlTtlSeconds,
  thumbnailImageUris,
} from './playlist-rewrite.ts';

const variant = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000,
seg_00000.m4s
#EXTINF:2.000,
seg_00001.m4s
#EXTINF:1.000,
../../../other/secret.m4s
#EXT-X-ENDLIST
`;

describe('playlist rewriting', () => {
  it('collects line and attribute URIs once each', () => {
    expect(playlistUris(variant)).toEqual([
      'init.mp4',
      'seg_00000.m4s',
      'seg_00001.m4s',
      '../../../other/secret.m4s',
    ]);
  });

  it('maps every URI and drops what has no mapping, with its EXTINF', () => {
    const mapping = new Map([
      ['init.mp4', 'https://s3/init.mp4?sig=1'],
      ['seg_00000.m4s', 'https://s3/seg0?sig=2'],
      ['seg_00001.m4s', 'https://s3/seg1?sig=3'],
    ]);
    expect(rewritePlaylist(variant, mapping)).toBe(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="https://s3/init.mp4?sig=1"
#EXTINF:4.000,
https://s3/seg0?sig=2
#EXTINF:2.000,
https://s3/seg1?sig=3
#EXT-X-ENDLIST
`);
  });

  it('rewrites a master playlist variant list', () => {
    const master =
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n';
    expect(rewritePlaylist(master, new Map([['360p/index.m3u8', '360p/index.m3u8?st=abc']]))).toBe(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8?st=abc\n',
    );
  });

  it('resolves only relative keys inside the directory', () => {
    expect(resolveInside('videos/output/1/720p/', 'seg_1.m4s')).toBe(
      'videos/output/1/720p/seg_1.m4s',
    );
    expect(resolveInside('videos/output/1/720p/', '../1080p/seg_1.m4s')).toBeUndefined();
    expect(resolveInside('videos/output/1/720p/', 'https://evil/x')).toBeUndefined();
    expect(resolveInside('videos/output/1/720p/', '/etc/passwd')).toBeUndefined();
    expect(resolveInside('videos/output/1/720p/', 'a/./b')).toBeUndefined();
  });

  it('keeps segment URLs short-lived but long enough to play through', () => {
    expect(segmentUrlTtlSeconds(10)).toBe(900);
    expect(segmentUrlTtlSeconds(3600)).toBe(6000);
    expect(segmentUrlTtlSeconds(100_000)).toBe(21_600);
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
