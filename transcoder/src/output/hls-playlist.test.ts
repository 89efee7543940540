import { describe, expect, it } from 'vitest';
import type { RenditionManifest } from '@videoforge/contracts';
import {
  avcCodecString,
  av1CodecString,
  hevcCodecString,
  parseMediaPlaylist,
  renderMasterPlaylist,
  segmentBandwidth,
} from './hls-playlist.ts';

const manifest = (
  name: string,
  width: number,
  height: number,
  bandwidth: number,
  averageBandwidth: number,
): RenditionManifest => ({
  version: 1,
  name,
  width,
  height,
  frameRate: { num: 30000, den: 1001 },
  codecs: 'avc1.640028,mp4a.40.2',
  hasAudio: true,
  videoBitrateKbps: 1000,
  bandwidth,
  averageBandwidth,
  durationSeconds: 12,
  playlist: 'index.m3u8',
  mp4: `${name}.mp4`,
  segmentCount: 2,
  bytes: 1,
});

describe('renderMasterPlaylist', () => {
  it('starts with the variant nearest 2 Mb/s, then lists the rest highest first', () => {
    const text = renderMasterPlaylist([
      manifest('360p', 640, 360, 800_000, 700_000),
      manifest('1080p', 1920, 1080, 4_500_000, 4_100_000),
      manifest('720p', 1280, 720, 2_300_000, 2_100_000),
      manifest('480p', 854, 480, 1_200_000, 1_100_000),
    ]);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=2300000,AVERAGE-BANDWIDTH=2100000,RESOLUTION=1280x720,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970,VIDEO-RANGE=SDR',
        '720p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=4500000,AVERAGE-BANDWIDTH=4100000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970,VIDEO-RANGE=SDR',
        '1080p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=1200000,AVERAGE-BANDWIDTH=1100000,RESOLUTION=854x480,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970,VIDEO-RANGE=SDR',
        '480p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970,VIDEO-RANGE=SDR',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('lists H.264 first (starting near 2 Mb/s), then HEVC, then AV1, each with its own CODECS', () => {
    const family = (name: string, codecs: string, bandwidth: number): RenditionManifest => ({
      ...manifest(name, name.startsWith('720p') ? 1280 : 640, name.startsWith('720p') ? 720 : 360, bandwidth, bandwidth - 100_000),
      codecs,
    }); // prettier-ignore
    const text = renderMasterPlaylist([
      family('720p-av1', 'av01.0.05M.08', 1_300_000),
      family('360p', 'avc1.64001e', 700_000),
      family('720p-hevc', 'hvc1.1.6.L93.B0', 1_500_000),
      family('720p', 'avc1.64001f', 2_100_000),
      family('360p-av1', 'av01.0.01M.08', 450_000),
    ]);
    expect(
      text
        .split('\n')
        .filter((line) => line.startsWith('#EXT-X-STREAM-INF'))
        .map((line) => /CODECS="([^"]+)"/.exec(line)?.[1]),
    ).toEqual(['avc1.64001f', 'avc1.64001e', 'hvc1.1.6.L93.B0', 'av01.0.05M.08', 'av01.0.01M.08']);
  });

  it('refuses to write a master playlist with no variants', () => {
    expect(() => renderMasterPlaylist([])).toThrow();
  });
});

describe('parseMediaPlaylist', () => {
  it('reads what the ffmpeg HLS muxer writes for fMP4', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:6.000000,',
      'segment-00000.m4s',
      '#EXTINF:1.000000,',
      'segment-00001.m4s',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    expect(parseMediaPlaylist(text)).toEqual({
      targetDuration: 6,
      initUri: 'init.mp4',
      ended: true,
      segments: [
        { uri: 'segment-00000.m4s', durationSeconds: 6 },
        { uri: 'segment-00001.m4s', durationSeconds: 1 },
      ],
    });
  });

  it('rejects text that is not a playlist', () => {
    expect(() => parseMediaPlaylist('hello')).toThrow(/not an HLS playlist/);
  });
});

describe('segmentBandwidth', () => {
  it('takes the peak and the mean in bit/s, ignoring a short last segment for the peak', () => {
    expect(
      segmentBandwidth(
        [
          { durationSeconds: 6, bytes: 1_500_000 },
          { durationSeconds: 6, bytes: 3_000_000 },
          { durationSeconds: 0.5, bytes: 400_000 },
        ],
        6,
      ),
    ).toEqual({ peak: 4_000_000, average: Math.ceil((4_900_000 * 8) / 12.5) });
  });

  it('never reports a peak below the mean', () => {
    const { peak, average } = segmentBandwidth(
      [
        { durationSeconds: 6, bytes: 600_000 },
        { durationSeconds: 1, bytes: 900_000 },
      ],
      6,
    );
    expect(peak).toBe(average);
  });

  it('uses a lone short segment for both', () => {
    expect(segmentBandwidth([{ durationSeconds: 2, bytes: 250_000 }], 2)).toEqual({
      peak: 1_000_000,
      average: 1_000_000,
    });
  });
});

describe('avcCodecString', () => {
  it('reads profile, constraints and level from the avcC box', () => {
    const box = Buffer.concat([
      Buffer.from([0, 0, 0, 20]),
      Buffer.from('avcC'),
      Buffer.from([1, 0x64, 0x00, 0x28, 0xff]),
    ]);
    expect(avcCodecString(Buffer.concat([Buffer.alloc(32), box]))).toBe('avc1.640028');
    const baseline = Buffer.concat([Buffer.from('avcC'), Buffer.from([1, 0x42, 0xc0, 0x1e])]);
    expect(avcCodecString(baseline)).toBe('avc1.42c01e');
  });

  it('is undefined without an avcC box', () => {
    expect(avcCodecString(Buffer.from('ftypisom'))).toBeUndefined();
  });
});

describe('hevcCodecString', () => {
  it('spells Main 10, tier and level and the constraint bytes as RFC 6381 wants', () => {
    // hvcC: version 1; profile space 0, tier 0, profile 2 (Main 10); compatibility
    // flag 2 set (0x20000000, bit-reversed: 4); constraint bytes B0 0 0 0 0 0; level 93 (3.1).
    const box = Buffer.from([
      0,
      0,
      0,
      0x20,
      ...Buffer.from('hvcC', 'latin1'),
      1,
      0x02,
      0x20,
      0,
      0,
      0,
      0xb0,
      0,
      0,
      0,
      0,
      0,
      93,
      0,
      0,
    ]);
    expect(hevcCodecString(box)).toBe('hvc1.2.4.L93.B0');
    expect(hevcCodecString(Buffer.from('no box here'))).toBeUndefined();
  });
});

describe('av1CodecString', () => {
  it('spells profile, level, tier and bit depth from the av1C box', () => {
    // What SVT-AV1 wrote for a 640×360 rendition: marker+version 0x81, profile 0 level 1 (2.1),
    // main tier, 8-bit, 4:2:0.
    const init = Buffer.concat([
      Buffer.alloc(16),
      Buffer.from([0, 0, 0, 0x19]),
      Buffer.from('av1C', 'latin1'),
      Buffer.from([0x81, 0x01, 0x0d, 0x00]),
    ]);
    expect(av1CodecString(init)).toBe('av01.0.01M.08');
    const tenBitHighTier = Buffer.concat([
      Buffer.from('av1C', 'latin1'),
      Buffer.from([0x81, 0x0d, 0xcc, 0x00]),
    ]);
    expect(av1CodecString(tenBitHighTier)).toBe('av01.0.13H.10');
    expect(av1CodecString(Buffer.from('no box here'))).toBeUndefined();
  });
});
