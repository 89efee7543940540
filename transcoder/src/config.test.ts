import { describe, expect, it } from 'vitest';
import { isOutputPrefix } from '@videoforge/contracts';
import { ConfigError, loadConfig } from '@videoforge/platform/config';
import { toSourcePolicy, toTranscoderSettings, TranscoderEnv } from './config.ts';
import { cacheControlFor, contentTypeFor, uploadRank } from './output/output-layout.ts';

describe('TranscoderEnv', () => {
  it('has working defaults', () => {
    const env = loadConfig(TranscoderEnv, { TRANSCODE_WORK_DIR: '/tmp' });
    expect(toTranscoderSettings(env)).toMatchObject({
      ffmpegPath: 'ffmpeg',
      encoder: {
        preset: 'veryfast',
        segmentSeconds: 6,
        rateControl: { mode: 'abr' },
      },
      keyframeIntervalSeconds: 2,
      maxFrameRate: 60,
      probeLimits: { maxDimension: 8192, maxUhdDurationSeconds: 3600 },
    });
    expect(toSourcePolicy(env)).toEqual({ allowLoopbackHttp: false, localRoots: [] });
  });

  it('reads lists and flags', () => {
    const env = loadConfig(TranscoderEnv, {
      TRANSCODE_SOURCE_DIRS: '/data/a, /data/b',
      TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
      TRANSCODE_MAX_UHD_DURATION_SECONDS: '7200',
      TRANSCODE_PRESET: 'medium',
    });
    expect(toSourcePolicy(env)).toEqual({
      allowLoopbackHttp: true,
      localRoots: ['/data/a', '/data/b'],
    });
    expect(toTranscoderSettings(env).probeLimits.maxUhdDurationSeconds).toBe(7200);
  });

  it('chooses the rate control server-wide with one setting', () => {
    const rateControl = (value: string) =>
      toTranscoderSettings(loadConfig(TranscoderEnv, { TRANSCODE_RATE_CONTROL: value })).encoder
        .rateControl;
    expect(rateControl('abr')).toEqual({ mode: 'abr' });
    expect(rateControl('capped-crf:26')).toEqual({ mode: 'cappedCrf', crf: 26 });
    for (const bad of ['crf', 'capped-crf', 'capped-crf:0', 'capped-crf:52', 'ABR', 'qvbr:7']) {
      expect(() => rateControl(bad), bad).toThrow(/TRANSCODE_RATE_CONTROL/);
    }
  });

  it('lists every problem at once', () => {
    expect(() =>
      loadConfig(TranscoderEnv, {
        TRANSCODE_PRESET: 'ludicrous',
        TRANSCODE_SEGMENT_SECONDS: '5',
        TRANSCODE_WORK_DIR: '/tmp/a:b',
        TRANSCODE_SOURCE_DIRS: 'relative',
        STORAGE_DRIVER: 's3',
      }),
    ).toThrow(ConfigError);
    try {
      loadConfig(TranscoderEnv, {
        TRANSCODE_SEGMENT_SECONDS: '5',
        TRANSCODE_WORK_DIR: '/tmp/a:b',
        STORAGE_DRIVER: 's3',
      });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/TRANSCODE_SEGMENT_SECONDS/);
      expect(problems).toMatch(/TRANSCODE_WORK_DIR/);
      expect(problems).toMatch(/S3_BUCKET_NAME/);
    }
  });
});

describe('output layout', () => {
  it('serves each output with its content type', () => {
    expect(contentTypeFor('index.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(contentTypeFor('segment-00001.m4s')).toBe('video/iso.segment');
    expect(contentTypeFor('init.mp4')).toBe('video/mp4');
    expect(contentTypeFor('thumbnails/thumbnails.vtt')).toBe('text/vtt; charset=utf-8');
    expect(contentTypeFor('poster.jpg')).toBe('image/jpeg');
  });

  it('caches media for a year and playlists briefly', () => {
    expect(cacheControlFor('segment-00001.m4s')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('720p.mp4')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('index.m3u8')).toBe('public, max-age=60');
    expect(cacheControlFor('rendition.json')).toBe('public, max-age=60');
  });

  it('uploads media before playlists and the manifest last', () => {
    const order = ['rendition.json', 'index.m3u8', 'segment-00000.m4s', 'init.mp4'].sort(
      (a, b) => uploadRank(a) - uploadRank(b),
    );
    expect(order).toEqual(['init.mp4', 'segment-00000.m4s', 'index.m3u8', 'rendition.json']);
  });

  it('writes only under videos/output/{job}/', () => {
    expect(isOutputPrefix('videos/output/42/')).toBe(true);
    expect(isOutputPrefix('videos/output/42')).toBe(false);
    expect(isOutputPrefix('videos/output/../raw/')).toBe(false);
    expect(isOutputPrefix('videos/raw/42/')).toBe(false);
  });
});
