import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import {
  interlacedFrames,
  makeRealWorldClip,
  probeOutput,
  ssim,
  type RealWorldCase,
  type RealWorldClip,
} from '../../../test/support/real-world-media.ts';
import { RenditionManifest, type TranscoderEvent } from '@videoforge/contracts';
import type { SourceInput } from '@videoforge/platform/media';
import type { LocalStorage } from '@videoforge/platform/storage';
import { finalizeOutputs } from './finalize.service.ts';
import { tempStorage, testSettings } from '../testing/integration.fixtures.ts';
import { defaultTemplates } from '../plan/ladder.ts';
import { probeSource } from '../source/source-probe.ts';
import { transcodeRenditions } from './transcode.service.ts';

const settings = testSettings();
const lowestTemplate = defaultTemplates().filter((t) => t.name === '360p');
const CASES: RealWorldCase[] = [
  'hdr10',
  'hlg-rotated',
  'interlaced-ts',
  'avchd',
  'unflagged-interlaced',
  'tiny-240',
  'tiny-120',
];

describeWith(['ffmpeg'], 'real-world media matrix through the transcoder', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  const clips = new Map<RealWorldCase, RealWorldClip>();
  const source = (clip: RealWorldClip): SourceInput => ({
    kind: 'file',
    path: clip.file,
    protocols: ['file'],
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-real-world-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    await mkdir(path.join(dir, 'media'));
    storage = tempStorage(path.join(dir, 'storage'));
    for (const which of CASES)
      clips.set(which, await makeRealWorldClip(path.join(dir, 'media'), which));
  }, 180_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('detects dynamic range, field order and start time from the probe', async () => {
    const seen: Record<string, unknown> = {};
    for (const [which, clip] of clips) {
      const probed = await probeSource(source(clip), {
        ffprobePath: 'ffprobe',
        timeoutMs: 30_000,
        limits: settings.probeLimits,
      });
      if (!probed.ok) throw new Error(`${which}: ${probed.reason.message}`);
      const { video } = probed.metadata;
      seen[which] = {
        range: video.dynamicRange,
        interlaced:
          ['tt', 'bb', 'tb', 'bt'].includes(video.fieldOrder ?? '') ||
          (which === 'unflagged-interlaced' && video.fieldOrder !== 'progressive'),
        nonZeroStart: (probed.metadata.startTimeSeconds ?? 0) > 0.5,
      };
    }
    expect(seen).toEqual(
      Object.fromEntries(
        [...clips].map(([which, clip]) => [
          which,
          {
            range: clip.expect.dynamicRange,
            interlaced: clip.expect.interlaced,
            nonZeroStart: clip.expect.nonZeroStart,
          },
        ]),
      ),
    );
  });

  it('hdr10 with the HDR ladder: an HEVC Main10 PQ twin beside the SDR rendition, VIDEO-RANGE and exact CODECS', async () => {
    const clip = clips.get('hdr10');
    if (!clip) throw new Error('hdr10');
    const outputPrefix = 'videos/output/hdr10-ladder/';
    for (const strategy of ['ladder', 'perRendition'] as const) {
      const outcome = await transcodeRenditions(
        {
          jobId: 'hdr10-ladder',
          source: source(clip),
          outputPrefix,
          strategy,
          renditions: lowestTemplate,
          hdr: true,
        },
        { settings, storage, workRoot },
      );
      expect(outcome.status, JSON.stringify(outcome)).toBe('succeeded');
      if (outcome.status === 'succeeded')
        expect(outcome.renditions.map((r) => r.name).sort()).toEqual(['360p', '360p-hdr']);
    }
    const finalized = await finalizeOutputs(
      { jobId: 'hdr10-ladder', source: source(clip), outputPrefix, expectedRenditions: ['360p'] },
      { settings, storage, workRoot },
    );
    expect(finalized.status).toBe('succeeded');
    // Renditions are video only; finalize muxed the main mix into each progressive MP4.
    const hdrMp4 = storage.filePath(`${outputPrefix}360p-hdr/360p-hdr.mp4`);
    expect(await probeOutput(hdrMp4)).toMatchObject({
      width: 640,
      height: 360,
      codec: 'hevc',
      pixelFormat: 'yuv420p10le',
      colour: { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc' },
      frameRate: '30/1',
      hasAudio: true,
    });
    const master = HLS.parse(
      await readFile(storage.filePath(`${outputPrefix}master.m3u8`), 'utf8'),
    ) as HLS.types.MasterPlaylist;
    // SDR first (every player can start there), the HDR twin beside it.
    expect(master.variants.map((v) => [v.uri, v.videoRange, v.codecs])).toEqual([
      ['360p/index.m3u8', 'SDR', expect.stringMatching(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/)],
      [
        '360p-hdr/index.m3u8',
        'PQ',
        expect.stringMatching(/^hvc1\.2\.4\.L\d+(\.[0-9A-F]{1,2})*,mp4a\.40\.2$/),
      ],
    ]);
  }, 240_000);

  // The TranscodeJob path: the operator asks for the ladder's lowest rendition (360p); a
  // source below it gets its own size under its own name, which finalize accepts.
  for (const which of CASES) {
    it(`${which}: comes out progressive BT.709 SDR at the right size, with a poster`, async () => {
      const clip = clips.get(which);
      if (!clip) throw new Error(which);
      const outputPrefix = `videos/output/${which}/`;
      const events: TranscoderEvent[] = [];
      const outcome = await transcodeRenditions(
        {
          jobId: which,
          source: source(clip),
          outputPrefix,
          strategy: 'ladder',
          // The HDR case's rendition gets bits enough that SSIM measures the tone mapping,
          // not ultrafast's compression at 600k.
          renditions: clip.sdrOriginal
            ? [{ name: '360p', height: 360, videoBitrateKbps: 2000 }]
            : lowestTemplate,
          onEvent: (event) => events.push(event),
        },
        { settings, storage, workRoot },
      );
      expect(outcome.status, JSON.stringify(events.at(-1))).toBe('succeeded');
      const { name, width, height } = clip.expect.lowest;
      const renditionDir = path.dirname(storage.filePath(`${outputPrefix}${name}/rendition.json`));
      const manifest = RenditionManifest.parse(
        JSON.parse(await readFile(path.join(renditionDir, 'rendition.json'), 'utf8')),
      );
      expect(manifest).toMatchObject({
        name,
        width,
        height,
        videoRange: 'SDR',
        processing: {
          sourceDynamicRange: clip.expect.dynamicRange,
          toneMapped: clip.expect.dynamicRange !== 'SDR',
        },
      });
      if (name !== '360p') expect(manifest.requestedName).toBe('360p');
      expect(manifest.processing?.deinterlaced).toBe(
        clip.expect.interlaced ? 'field-rate' : undefined,
      );
      if (which === 'unflagged-interlaced')
        expect(manifest.processing?.interlaceDetectedBy).toBe('idet');

      // Renditions are video only; finalize muxes the main mix into the progressive MP4.
      const finalized = await finalizeOutputs(
        {
          jobId: which,
          source: source(clip),
          outputPrefix,
          expectedRenditions: ['360p'],
        },
        { settings, storage, workRoot },
      );
      expect(finalized.status, JSON.stringify(finalized)).toBe('succeeded');
      const mp4 = path.join(renditionDir, `${name}.mp4`);
      const output = await probeOutput(mp4);
      expect(output).toMatchObject({
        width,
        height,
        codec: 'h264',
        pixelFormat: 'yuv420p',
        colour: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709' },
        frameRate: clip.expect.frameRate,
        hasAudio: true,
      });
      // Outputs start at 0 whatever the source's start time, and keep its length.
      expect(output.startSeconds).toBeLessThan(0.1);
      // A/V in sync: the streams start within one AAC frame (1024 samples at 48 kHz).
      expect(
        Math.abs(output.videoStartSeconds - (output.audioStartSeconds ?? 0)),
      ).toBeLessThanOrEqual(1024 / 48000);
      expect(Math.abs(output.durationSeconds - 2)).toBeLessThan(0.25);
      expect(output.fieldOrder).toBe('progressive');
      if (clip.expect.interlaced) {
        // idet over the whole output: the woven fields are gone (the source reads ~100 % TFF).
        const idet = await interlacedFrames(mp4);
        // (idet reads a few sharp moving edges of testsrc2 as combing even in progressive video.)
        expect(idet.interlaced).toBeLessThanOrEqual(Math.ceil(idet.progressive * 0.1));
      }
      if (clip.sdrOriginal) expect(await ssim(mp4, clip.sdrOriginal)).toBeGreaterThanOrEqual(0.9);

      const poster = storage.filePath(`${outputPrefix}poster.jpg`);
      expect((await stat(poster)).size).toBeGreaterThan(1000);
      if (clip.sdrOriginal) {
        // The poster is tone-mapped like the renditions: close to the SDR original.
        expect(await ssim(poster, clip.sdrOriginal)).toBeGreaterThanOrEqual(0.6);
      }
      const master = HLS.parse(
        await readFile(storage.filePath(`${outputPrefix}master.m3u8`), 'utf8'),
      ) as HLS.types.MasterPlaylist;
      expect(master.variants.map((v) => [v.uri, v.resolution, v.videoRange])).toEqual([
        [`${name}/index.m3u8`, { width, height }, 'SDR'],
      ]);
    }, 120_000);
  }
});
