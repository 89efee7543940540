import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { RenditionManifest, type TranscoderEvent } from '@videoforge/contracts';
import type { RateControl } from '../ffmpeg/rate-control.ts';
import type { LocalStorage } from '@videoforge/platform/storage';
import { finalizeOutputs } from './finalize.service.ts';
import {
  keyframeTimes,
  listKeys,
  makeClip,
  probeFile,
  stereoTone,
  tempStorage,
  testSettings,
} from '../testing/integration.fixtures.ts';
import { defaultTemplates, planLadder, type RenditionTemplate } from '../plan/ladder.ts';
import { probeSource } from '../source/source-probe.ts';
import type { SourceInput } from '@videoforge/platform/media';
import { runRendition, transcodeRenditions, type TranscodeOutcome } from './transcode.service.ts';

const settings = testSettings();
const run = promisify(execFile);

/** The picture's mean RGB, from ffmpeg scaling it to one pixel. */
async function meanColour(image: string): Promise<number[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      image,
      '-vf',
      'scale=1:1:flags=area',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer' },
  );
  return [...stdout.subarray(0, 3)];
}
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];
const template = (name: string): RenditionTemplate => {
  const found = defaultTemplates().find((t) => t.name === name);
  if (!found) throw new Error(name);
  return found;
};

describeWith(['ffmpeg'], 'transcoding real clips', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  const clips: Record<string, string> = {};
  const source = (name: string): SourceInput => ({
    kind: 'file',
    path: clips[name] ?? '',
    protocols: ['file'],
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-transcode-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    storage = tempStorage(path.join(dir, 'storage'));
    const media = path.join(dir, 'media');
    await mkdir(media);
    const clip = async (name: string, args: string[]) => {
      clips[name] = await makeClip(media, `${name}.mp4`, args);
    };
    // Each clip once per file, as short and small as its case allows.
    await clip('landscape', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1920x1080:r=25:d=7',
      ...stereoTone(7),
      ...x264,
      '-c:a',
      'aac',
      '-shortest',
    ]);
    await clip('portrait', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1080x1920:r=30:d=3',
      ...stereoTone(3),
      ...x264,
      '-c:a',
      'aac',
      '-shortest',
    ]);
    const upright = await makeClip(media, 'upright.mp4', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x360:r=25:d=2',
      ...x264,
    ]);
    // Rotation is container metadata: add it by remuxing, as a phone would have written it.
    await clip('rotated', ['-i', upright, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    // Stands in for a source finalize must not decode: its stills come from the renditions.
    await clip('red', ['-f', 'lavfi', '-i', 'color=c=red:s=640x360:r=25:d=2', ...x264]);
    await clip('uhd', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=3840x2160:r=25:d=2',
      ...stereoTone(2),
      ...x264,
      '-c:a',
      'aac',
      '-shortest',
    ]);
    await clip('small', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x360:r=25:d=2',
      ...stereoTone(2),
      ...x264,
      '-c:a',
      'aac',
      '-shortest',
    ]);
    // testsrc2 rounds sizes to even; testsrc keeps 1921×1081, and 4:4:4 lets x264 encode it.
    await clip('odd', [
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=1921x1081:r=25:d=2',
      '-pix_fmt',
      'yuv444p',
      ...x264,
    ]);
    await clip('silent', ['-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25:d=2', ...x264]);
    await clip('surround', [
      '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2',
      '-f', 'lavfi', '-i', 'aevalsrc=0.1*sin(440*2*PI*t)|0.1*sin(550*2*PI*t)|0.1*sin(660*2*PI*t)|0.1*sin(50*2*PI*t)|0.1*sin(770*2*PI*t)|0.1*sin(880*2*PI*t):s=48000:c=5.1:d=2',
      ...x264, '-c:a', 'aac', '-shortest',
    ]); // prettier-ignore
    // Every third frame dropped, timestamps kept: 20 fps on average on a 30 fps grid.
    await clip('vfr', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x360:r=30:d=4',
      '-vf',
      "select='not(eq(mod(n\\,3)\\,0))'",
      '-fps_mode',
      'vfr',
      ...x264,
    ]);
    await clip('tenbit', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x360:r=25:d=2',
      '-pix_fmt',
      'yuv420p10le',
      ...x264,
    ]);
  }, 180_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function transcode(
    job: string,
    clip: string,
    options: {
      strategy?: 'ladder' | 'perRendition';
      renditions?: RenditionTemplate[];
      events?: TranscoderEvent[];
    } = {},
  ): Promise<Extract<TranscodeOutcome, { status: 'succeeded' }>> {
    const outcome = await transcodeRenditions(
      {
        jobId: job,
        source: source(clip),
        outputPrefix: `videos/output/${job}/`,
        strategy: options.strategy ?? 'perRendition',
        renditions: options.renditions,
        onEvent: (event) => options.events?.push(event),
      },
      { settings, storage, workRoot },
    );
    if (outcome.status !== 'succeeded')
      throw new Error(`${job}: ${JSON.stringify(outcome.failure)}`);
    return outcome;
  }

  const mp4Of = (job: string, name: string) =>
    storage.filePath(`videos/output/${job}/${name}/${name}.mp4`);

  /** Reads back every rendition: codecs, size, duration, playlist shape, and the keyframe grid. */
  async function expectRenditions(
    job: string,
    expected: Array<[string, number, number]>,
    duration: number,
  ) {
    const keyframes: number[][] = [];
    for (const [name, width, height] of expected) {
      const { streams, duration: actual } = await probeFile(mp4Of(job, name));
      const video = streams.find((s) => s.codec_type === 'video');
      const audio = streams.filter((s) => s.codec_type === 'audio');
      expect(video, name).toMatchObject({ codec_name: 'h264', width, height, pix_fmt: 'yuv420p' });
      // Renditions are video only: audio is its own rendition (tracks.integration.test.ts), and
      // finalize muxes the main mix into the progressive MP4.
      expect(audio, name).toEqual([]);
      expect(actual, name).toBeCloseTo(duration, 0);

      const playlist = HLS.parse(
        await readFile(storage.filePath(`videos/output/${job}/${name}/index.m3u8`), 'utf8'),
      );
      if (!(playlist instanceof HLS.types.MediaPlaylist))
        throw new Error('expected a media playlist');
      expect(playlist.segments.length).toBeGreaterThan(0);
      for (const segment of playlist.segments) {
        // The HLS rule: each segment, rounded to the nearest second, within the target duration.
        expect(Math.round(segment.duration)).toBeLessThanOrEqual(playlist.targetDuration);
        expect(segment.map?.uri).toBe('init.mp4');
        expect(await storage.head(`videos/output/${job}/${name}/${segment.uri}`)).toBeDefined();
      }
      const total = playlist.segments.reduce((sum, segment) => sum + segment.duration, 0);
      expect(total, name).toBeCloseTo(duration, 0);
      keyframes.push(await keyframeTimes(mp4Of(job, name)));
    }
    for (const times of keyframes.slice(1)) expect(times).toEqual(keyframes[0]);
    return keyframes[0] ?? [];
  }

  it('runs the whole ladder from one decode for a 1080p landscape source, then finalizes', async () => {
    const events: TranscoderEvent[] = [];
    const outcome = await transcode('landscape', 'landscape', { strategy: 'ladder', events });
    expect(outcome.renditions.map((r) => r.name)).toEqual(['1080p', '720p', '480p', '360p']);
    const keyframes = await expectRenditions(
      'landscape',
      [['1080p', 1920, 1080], ['720p', 1280, 720], ['480p', 854, 480], ['360p', 640, 360]],
      7,
    ); // prettier-ignore
    expect(keyframes).toEqual([0, 2, 4, 6]);
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.percent);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const meta = await storage.readMeta('videos/output/landscape/720p/index.m3u8');
    expect(meta).toMatchObject({
      contentType: 'application/vnd.apple.mpegurl',
      cacheControl: 'public, max-age=60',
    });
    expect(await storage.readMeta('videos/output/landscape/720p/segment-00000.m4s')).toMatchObject({
      contentType: 'video/iso.segment',
      cacheControl: 'public, max-age=31536000, immutable',
    });

    const finalized = await finalizeOutputs(
      {
        jobId: 'landscape',
        source: source('landscape'),
        outputPrefix: 'videos/output/landscape/',
        expectedRenditions: ['1080p', '720p', '480p', '360p'],
      },
      { settings, storage, workRoot },
    );
    expect(finalized).toMatchObject({
      status: 'succeeded',
      masterKey: 'videos/output/landscape/master.m3u8',
    });
    const master = HLS.parse(
      await readFile(storage.filePath('videos/output/landscape/master.m3u8'), 'utf8'),
    );
    if (!(master instanceof HLS.types.MasterPlaylist))
      throw new Error('expected a master playlist');
    expect(
      master.variants.map((v) => [v.uri, v.resolution?.width, v.resolution?.height, v.frameRate]),
    ).toEqual([
      ['720p/index.m3u8', 1280, 720, 25],
      ['1080p/index.m3u8', 1920, 1080, 25],
      ['480p/index.m3u8', 854, 480, 25],
      ['360p/index.m3u8', 640, 360, 25],
    ]);
    for (const variant of master.variants) {
      expect(variant.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(variant.averageBandwidth).toBeGreaterThan(0);
      expect(variant.bandwidth).toBeGreaterThanOrEqual(variant.averageBandwidth ?? 0);
    }
    const poster = await probeFile(storage.filePath('videos/output/landscape/poster.jpg'));
    expect(poster.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720 });
    const sprite = await probeFile(
      storage.filePath('videos/output/landscape/thumbnails/sprite.jpg'),
    );
    expect(sprite.streams[0]).toMatchObject({ width: 7 * 160, height: 90 });
    const vtt = await readFile(
      storage.filePath('videos/output/landscape/thumbnails/thumbnails.vtt'),
      'utf8',
    );
    expect(vtt.match(/sprite\.jpg#xywh=/g)).toHaveLength(7);
    expect(vtt).toContain('00:00:06.000 --> 00:00:07.000\nsprite.jpg#xywh=960,0,160,90');
  });

  it('measures BANDWIDTH and AVERAGE-BANDWIDTH from the segments under ABR and capped CRF alike', async () => {
    const measured = async (job: string, rateControl: RateControl) => {
      const outcome = await transcodeRenditions(
        {
          jobId: job,
          source: source('landscape'),
          outputPrefix: `videos/output/${job}/`,
          strategy: 'ladder',
          renditions: [template('360p')],
        },
        {
          settings: testSettings({ encoder: { ...settings.encoder, rateControl } }),
          storage,
          workRoot,
        },
      );
      if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome.failure));
      const file = (name: string) => storage.filePath(`videos/output/${job}/360p/${name}`);
      const manifest = RenditionManifest.parse(
        JSON.parse(await readFile(file('rendition.json'), 'utf8')),
      );
      const playlist = HLS.parse(await readFile(file('index.m3u8'), 'utf8'));
      if (!(playlist instanceof HLS.types.MediaPlaylist))
        throw new Error('expected a media playlist');
      const segments = await Promise.all(
        playlist.segments.map(async (segment) => ({
          bits: (await stat(file(segment.uri))).size * 8,
          seconds: segment.duration,
        })),
      );
      // 7 s in 6 s segments: the short last one counts toward the mean, not the peak.
      expect(segments.map((s) => Math.round(s.seconds))).toEqual([6, 1]);
      const bits = segments.reduce((sum, s) => sum + s.bits, 0);
      const seconds = segments.reduce((sum, s) => sum + s.seconds, 0);
      const [first] = segments;
      expect(manifest.averageBandwidth).toBe(Math.ceil(bits / seconds));
      // The peak: the full segment's rate, or the mean when the short one pulls that higher.
      expect(manifest.bandwidth).toBe(
        Math.ceil(Math.max((first?.bits ?? 0) / (first?.seconds ?? 1), bits / seconds)),
      );
      expect(manifest.videoBitrateKbps).toBe(600);
      return { manifest, keyframes: await keyframeTimes(mp4Of(job, '360p')) };
    };
    const abr = await measured('abr', { mode: 'abr' });
    // A CRF this high sits well under the 600k cap: the playlist reports what was spent.
    const crf = await measured('crf', { mode: 'cappedCrf', crf: 35 });
    expect(crf.manifest.averageBandwidth).toBeLessThan(0.8 * abr.manifest.averageBandwidth);
    expect(crf.manifest.averageBandwidth).toBeLessThan(600_000);
    expect(crf.keyframes).toEqual(abr.keyframes);
    expect(crf.keyframes).toEqual([0, 2, 4, 6]);
  });

  it('keeps a portrait 1080×1920 source portrait, one ffmpeg per rendition, keyframes aligned', async () => {
    await transcode('portrait', 'portrait');
    const keyframes = await expectRenditions(
      'portrait',
      [['1080p', 1080, 1920], ['720p', 720, 1280], ['480p', 480, 854], ['360p', 360, 640]],
      3,
    ); // prettier-ignore
    expect(keyframes).toEqual([0, 2]);
  });

  it('applies rotation metadata: a 640×360 frame shown upright becomes a 360×640 rendition', async () => {
    const outcome = await transcode('rotated', 'rotated');
    expect(outcome.metadata.video).toMatchObject({
      codedWidth: 640,
      codedHeight: 360,
      displayWidth: 360,
      displayHeight: 640,
    });
    await expectRenditions('rotated', [['360p', 360, 640]], 2);
  });

  it('takes the poster and sprite from the finished renditions, never decoding the source again', async () => {
    await transcode('stills', 'rotated');
    const finalized = await finalizeOutputs(
      { jobId: 'stills', source: source('red'), outputPrefix: 'videos/output/stills/' },
      { settings, storage, workRoot },
    );
    expect(finalized).toMatchObject({ status: 'succeeded' });
    // Upright like the rendition (the source swapped in is landscape), and not red.
    const poster = storage.filePath('videos/output/stills/poster.jpg');
    expect((await probeFile(poster)).streams[0]).toMatchObject({ width: 360, height: 640 });
    const [r = 0, g = 0, b = 0] = await meanColour(poster);
    expect(r - (g + b) / 2).toBeLessThan(100);
    const sprite = storage.filePath('videos/output/stills/thumbnails/sprite.jpg');
    expect((await probeFile(sprite)).streams[0]).toMatchObject({ width: 2 * 90, height: 160 });
  });

  it('plans 2160p for a 4K source and encodes it', async () => {
    const outcome = await transcode('uhd', 'uhd', { renditions: [template('2160p')] });
    expect(planLadder(outcome.metadata, { keyframeIntervalSeconds: 2 }).renditions.map((r) => r.name)).toEqual([
      '2160p', '1080p', '720p', '480p', '360p',
    ]); // prettier-ignore
    await expectRenditions('uhd', [['2160p', 3840, 2160]], 2);
  });

  it('gives a 640×360 two-second clip one rendition and one segment', async () => {
    const outcome = await transcode('small', 'small', { renditions: defaultTemplates().slice() });
    expect(outcome.renditions.map((r) => r.name)).toEqual(['360p']);
    expect(outcome.skipped.map((s) => s.name)).toEqual(['2160p', '1080p', '720p', '480p']);
    await expectRenditions('small', [['360p', 640, 360]], 2);
    const manifest = JSON.parse(
      await readFile(storage.filePath('videos/output/small/360p/rendition.json'), 'utf8'),
    ) as { segmentCount: number };
    expect(manifest.segmentCount).toBe(1);
  });

  it('makes an odd 1921×1081 (4:4:4) source even-sized 4:2:0 renditions', async () => {
    await transcode('odd', 'odd', { strategy: 'ladder' });
    await expectRenditions('odd', [['1080p', 1920, 1080], ['720p', 1280, 720], ['480p', 852, 480], ['360p', 640, 360]], 2); // prettier-ignore
  });

  it('gives a source without audio renditions without audio', async () => {
    await transcode('silent', 'silent');
    await expectRenditions('silent', [['360p', 640, 360]], 2);
    const manifest = JSON.parse(
      await readFile(storage.filePath('videos/output/silent/360p/rendition.json'), 'utf8'),
    ) as { codecs: string; hasAudio: boolean };
    expect(manifest.hasAudio).toBe(false);
    expect(manifest.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
  });

  it('downmixes 5.1 to stereo AAC, and gives a sub-360p source one rendition at its own size', async () => {
    const outcome = await transcode('surround', 'surround');
    expect(outcome.metadata.audio).toMatchObject({ channels: 6 });
    expect(outcome.renditions.map((r) => r.name)).toEqual(['240p']);
    await expectRenditions('surround', [['240p', 320, 240]], 2);
  });

  it('turns a variable-frame-rate source into constant frame rate', async () => {
    const outcome = await transcode('vfr', 'vfr');
    expect(outcome.metadata.video.variableFrameRate).toBe(true);
    await expectRenditions('vfr', [['360p', 640, 360]], 4);
    const video = (await probeFile(mp4Of('vfr', '360p'))).streams.find(
      (s) => s.codec_type === 'video',
    );
    expect(video?.r_frame_rate).toBe('24000/1001');
  });

  it('turns a 10-bit source into 8-bit 4:2:0', async () => {
    const outcome = await transcode('tenbit', 'tenbit');
    expect(outcome.metadata.video).toMatchObject({ bitDepth: 10, pixelFormat: 'yuv420p10le' });
    await expectRenditions('tenbit', [['360p', 640, 360]], 2);
    const video = (await probeFile(mp4Of('tenbit', '360p'))).streams.find(
      (s) => s.codec_type === 'video',
    );
    expect(video?.profile).not.toMatch(/10/);
  });

  it('kills ffmpeg on cancel and leaves neither files nor objects', async () => {
    const controller = new AbortController();
    const outcome = await transcodeRenditions(
      {
        jobId: 'cancel',
        source: source('landscape'),
        outputPrefix: 'videos/output/cancel/',
        strategy: 'ladder',
        signal: controller.signal,
        onEvent: (event) => {
          if (event.event === 'progress') controller.abort();
        },
      },
      { settings, storage, workRoot },
    );
    expect(outcome).toMatchObject({ status: 'failed', failure: { kind: 'cancelled' } });
    expect(await listKeys(storage, 'videos/output/cancel/')).toEqual([]);
  });

  it('stops ffmpeg at the time limit and removes its partial output', async () => {
    const probed = await probeSource(source('landscape'), {
      ffprobePath: 'ffprobe',
      timeoutMs: 30_000,
      limits: settings.probeLimits,
    });
    if (!probed.ok) throw new Error('probe failed');
    const plan = planLadder(probed.metadata, { keyframeIntervalSeconds: 2 });
    const workDir = await mkdtemp(path.join(workRoot, 'timeout-'));
    const rendition = plan.renditions[0];
    if (!rendition) throw new Error('no rendition');
    const outcome = await runRendition(
      {
        source: source('landscape'),
        metadata: probed.metadata,
        plan,
        workDir,
        rendition: rendition,
      },
      { ...settings, timeoutMs: 300 },
    );
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'transient', code: 'timeout' } });
    expect(await readdir(workDir)).toEqual([]);
    await rm(workDir, { recursive: true });
  });

  it('cleans up every temporary directory', async () => {
    expect(await readdir(workRoot)).toEqual([]);
  });
});
