import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { RenditionManifest, type CodecFamily } from '@videoforge/contracts';
import type { LocalStorage } from '@videoforge/platform/storage';
import type { SourceInput } from '@videoforge/platform/media';
import { finalizeOutputs } from './finalize.service.ts';
import { transcodeRenditions } from './transcode.service.ts';
import {
  keyframeTimes,
  makeClip,
  probeFile,
  stereoTone,
  tempStorage,
  testSettings,
} from '../testing/integration.fixtures.ts';
import { defaultTemplates, type RenditionTemplate } from '../plan/ladder.ts';

const settings = testSettings();
const template = (name: string): RenditionTemplate => {
  const found = defaultTemplates().find((t) => t.name === name);
  if (!found) throw new Error(name);
  return found;
};

describeWith(['ffmpeg'], 'codec families from one decode', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  let clip: string;
  const source = (): SourceInput => ({ kind: 'file', path: clip, protocols: ['file'] });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-families-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    storage = tempStorage(path.join(dir, 'storage'));
    clip = await makeClip(dir, 'source.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=25:d=5', ...stereoTone(5),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest',
    ]); // prettier-ignore
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const key = (job: string, name: string, file: string) => `videos/output/${job}/${name}/${file}`;
  const manifestOf = async (job: string, name: string) =>
    RenditionManifest.parse(
      JSON.parse(await readFile(storage.filePath(key(job, name, 'rendition.json')), 'utf8')),
    );

  async function transcode(
    job: string,
    strategy: 'ladder' | 'perRendition',
    renditions: string[],
    codecs: CodecFamily[],
  ) {
    const outcome = await transcodeRenditions(
      {
        jobId: job,
        source: source(),
        outputPrefix: `videos/output/${job}/`,
        strategy,
        renditions: renditions.map(template),
        codecs,
      },
      { settings, storage, workRoot },
    );
    if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome.failure));
    return outcome;
  }

  /** ffprobe's view of one variant: codec, size, duration, and its keyframe times. */
  async function readBack(job: string, name: string) {
    const mp4 = storage.filePath(key(job, name, `${name}.mp4`));
    const { streams, duration } = await probeFile(mp4);
    expect(
      streams.filter((s) => s.codec_type === 'audio'),
      name,
    ).toEqual([]);
    return {
      video: streams.find((s) => s.codec_type === 'video'),
      duration,
      keyframes: await keyframeTimes(mp4),
    };
  }

  it('makes H.264 and AV1 renditions in one ladder run, AV1 with fewer bits, and lists both in the master', async () => {
    const outcome = await transcode('both', 'ladder', ['720p', '360p'], ['h264', 'av1']);
    expect(outcome.renditions.map((r) => r.name).sort()).toEqual(
      ['360p', '360p-av1', '720p', '720p-av1'].sort(),
    );

    const sizes = { '720p': [1280, 720], '360p': [640, 360] } as const;
    for (const family of ['h264', 'av1'] as const) {
      const keyframes: number[][] = [];
      for (const rendition of ['720p', '360p'] as const) {
        const name = family === 'h264' ? rendition : `${rendition}-av1`;
        const { video, duration, keyframes: times } = await readBack('both', name);
        expect(video, name).toMatchObject({
          codec_name: family,
          width: sizes[rendition][0],
          height: sizes[rendition][1],
          pix_fmt: 'yuv420p',
        });
        expect(duration, name).toBeCloseTo(5, 0);
        keyframes.push(times);
      }
      // One GOP for every rendition of the family: players switch at any segment boundary.
      expect(keyframes[0]).toEqual([0, 2, 4]);
      expect(keyframes[1]).toEqual(keyframes[0]);
    }

    const h264 = await manifestOf('both', '720p');
    const av1 = await manifestOf('both', '720p-av1');
    expect(h264.codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect(av1.codecs).toMatch(/^av01\.0\.\d{2}M\.08$/);
    expect((await manifestOf('both', '360p-av1')).codecs).toMatch(/^av01\.0\.\d{2}M\.08$/);
    expect(av1.videoBitrateKbps).toBe(Math.round(h264.videoBitrateKbps * 0.6));

    const finalized = await finalizeOutputs(
      {
        jobId: 'both',
        source: source(),
        outputPrefix: 'videos/output/both/',
        expectedRenditions: ['720p', '360p'],
      },
      { settings, storage, workRoot },
    );
    expect(finalized).toMatchObject({ status: 'succeeded' });
    const master = HLS.parse(
      await readFile(storage.filePath('videos/output/both/master.m3u8'), 'utf8'),
    );
    if (!(master instanceof HLS.types.MasterPlaylist)) throw new Error('expected a master');
    expect(
      master.variants.map((v) => [v.uri, v.resolution?.width, v.resolution?.height, v.frameRate]),
    ).toEqual([
      ['720p/index.m3u8', 1280, 720, 25],
      ['360p/index.m3u8', 640, 360, 25],
      ['720p-av1/index.m3u8', 1280, 720, 25],
      ['360p-av1/index.m3u8', 640, 360, 25],
    ]);
    for (const variant of master.variants) {
      const manifest = await manifestOf('both', variant.uri.split('/')[0] ?? '');
      expect(variant.codecs).toBe(`${manifest.codecs},mp4a.40.2`);
      expect(variant.averageBandwidth).toBeGreaterThan(manifest.averageBandwidth);
      expect(variant.bandwidth).toBeGreaterThanOrEqual(variant.averageBandwidth ?? 0);
    }
    // The stills come from the H.264 renditions.
    const poster = await probeFile(storage.filePath('videos/output/both/poster.jpg'));
    expect(poster.streams[0]).toMatchObject({ codec_name: 'mjpeg' });
  }, 300_000);

  it('makes an HEVC Main twin in hvc1 beside the H.264 rendition per rendition, keyframes aligned', async () => {
    const outcome = await transcode('hevc', 'perRendition', ['360p'], ['h264', 'hevc']);
    expect(outcome.renditions.map((r) => r.name)).toEqual(['360p-hevc', '360p']);
    const h264 = await readBack('hevc', '360p');
    const hevc = await readBack('hevc', '360p-hevc');
    expect(hevc.video).toMatchObject({
      codec_name: 'hevc',
      codec_tag_string: 'hvc1',
      profile: 'Main',
      pix_fmt: 'yuv420p',
      width: 640,
      height: 360,
    });
    expect(hevc.duration).toBeCloseTo(5, 0);
    expect(hevc.keyframes).toEqual(h264.keyframes);
    expect((await manifestOf('hevc', '360p-hevc')).codecs).toMatch(
      /^hvc1\.1\.6\.L\d+(\.[0-9A-F]{1,2})*$/,
    );
    expect((await manifestOf('hevc', '360p-hevc')).videoRange).toBe('SDR');
  }, 300_000);
});
