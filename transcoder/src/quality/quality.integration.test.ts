import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import type { TranscoderEvent } from '@videoforge/contracts';
import type { LocalStorage } from '@videoforge/platform/storage';
import type { SourceInput } from '@videoforge/platform/media';
import { transcodeRenditions, type TranscoderSettings } from '../steps/transcode.service.ts';
import {
  makeClip,
  stereoTone,
  tempStorage,
  testSettings,
} from '../testing/integration.fixtures.ts';
import type { CodecFamily } from '@videoforge/contracts';
import { makeRealWorldClip } from '../../../test/support/real-world-media.ts';
import type { RenditionTemplate } from '../plan/ladder.ts';

const sampled = testSettings({ quality: { mode: 'sampled', sampleSeconds: 3 } });

describeWith(['ffmpeg'], 'measured quality per rendition (real ffmpeg)', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  let clip: string;
  const source = (): SourceInput => ({ kind: 'file', path: clip, protocols: ['file'] });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-quality-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    storage = tempStorage(path.join(dir, 'storage'));
    // Moving detail with noise: a picture a starved bit rate visibly smears.
    clip = await makeClip(dir, 'source.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=25:d=8,noise=alls=12:allf=t', ...stereoTone(8),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-c:a', 'aac', '-shortest',
    ]); // prettier-ignore
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function transcode(
    job: string,
    strategy: 'ladder' | 'perRendition',
    renditions: RenditionTemplate[],
    settings: TranscoderSettings,
    options: { codecs?: CodecFamily[]; hdr?: boolean; source?: SourceInput } = {},
  ) {
    const events: TranscoderEvent[] = [];
    const outcome = await transcodeRenditions(
      {
        jobId: job,
        source: options.source ?? source(),
        ...(options.codecs ? { codecs: options.codecs } : {}),
        ...(options.hdr ? { hdr: true } : {}),
        outputPrefix: `videos/output/${job}/`,
        strategy,
        renditions,
        onEvent: (event) => events.push(event),
      },
      { settings, storage, workRoot },
    );
    if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome.failure));
    return events.flatMap((e) => (e.event === 'rendition-quality' ? [e] : []));
  }

  it('reports SSIM in (0, 1] and PSNR in dB for every rendition, after its upload', async () => {
    const reported = await transcode(
      'q1',
      'ladder',
      [
        { name: '720p', height: 720, videoBitrateKbps: 2500 },
        { name: '360p', height: 360, videoBitrateKbps: 800 },
      ],
      sampled,
    );
    expect(reported.map((e) => e.rendition).sort()).toEqual(['360p', '720p']);
    for (const { quality } of reported) {
      expect(quality.ssim).toBeGreaterThan(0);
      expect(quality.ssim).toBeLessThanOrEqual(1);
      expect(quality.psnrDb).toBeGreaterThan(10);
      expect(quality.psnrDb).toBeLessThan(100);
      // 8 s title, 3 s sample: the bound, not the title, sets the cost.
      expect(quality.sampledSeconds).toBeCloseTo(3, 2);
    }
  }, 240_000);

  it('a starved rendition measures lower than a generous one', async () => {
    const [starved] = await transcode(
      'q2',
      'perRendition',
      [{ name: '360p', height: 360, videoBitrateKbps: 60 }],
      sampled,
    );
    const [generous] = await transcode(
      'q3',
      'perRendition',
      [{ name: '360p', height: 360, videoBitrateKbps: 3000 }],
      sampled,
    );
    expect(starved!.quality.ssim).toBeLessThan(generous!.quality.ssim);
    expect(starved!.quality.psnrDb).toBeLessThan(generous!.quality.psnrDb - 3);
  }, 240_000);

  it('off reports nothing', async () => {
    const reported = await transcode(
      'q4',
      'perRendition',
      [{ name: '360p', height: 360, videoBitrateKbps: 800 }],
      testSettings({ quality: { mode: 'off' } }),
    );
    expect(reported).toEqual([]);
  }, 240_000);

  it('gives the HEVC and AV1 twins their own figure, from one comparison run', async () => {
    const reported = await transcode(
      'q5',
      'perRendition',
      [{ name: '360p', height: 360, videoBitrateKbps: 2500 }],
      sampled,
      { codecs: ['h264', 'hevc', 'av1'] },
    );
    expect(reported.map((e) => [e.rendition, e.variant])).toEqual([
      ['360p', '360p'],
      ['360p', '360p-hevc'],
      ['360p', '360p-av1'],
    ]);
    for (const { quality } of reported) {
      expect(quality.ssim).toBeGreaterThan(0.9);
      expect(quality.ssim).toBeLessThanOrEqual(1);
      expect(quality.psnrDb).toBeGreaterThan(25);
      expect(quality.sampledSeconds).toBeCloseTo(3, 2);
    }
  }, 300_000);

  it('a starved AV1 twin measures lower than a generous one', async () => {
    const twin = async (job: string, kbps: number) => {
      const reported = await transcode(
        job,
        'perRendition',
        [{ name: '360p', height: 360, videoBitrateKbps: kbps }],
        sampled,
        { codecs: ['h264', 'av1'] },
      );
      return reported.find((e) => e.variant === '360p-av1')!.quality;
    };
    const starved = await twin('q6', 60);
    const generous = await twin('q7', 3000);
    expect(starved.ssim).toBeLessThan(generous.ssim);
    expect(starved.psnrDb).toBeLessThan(generous.psnrDb - 3);
  }, 300_000);

  it('measures an HDR twin in the PQ domain beside its tone-mapped SDR rendition', async () => {
    // A BT.2020 PQ HEVC Main10 source (zscale to smpte2084, lossless libx265 10-bit).
    const hdr = await makeRealWorldClip(dir, 'hdr10');
    const reported = await transcode(
      'q8',
      'ladder',
      [{ name: '360p', height: 360, videoBitrateKbps: 2500 }],
      sampled,
      { hdr: true, source: { kind: 'file', path: hdr.file, protocols: ['file'] } },
    );
    const byVariant = new Map(reported.map((e) => [e.variant, e]));
    expect([...byVariant.keys()].sort()).toEqual(['360p', '360p-hdr']);
    const pq = byVariant.get('360p-hdr')!;
    expect(pq.rendition).toBe('360p');
    expect(pq.quality.ssim).toBeGreaterThan(0.9);
    expect(pq.quality.ssim).toBeLessThanOrEqual(1);
    // 10-bit PSNR: the peak is 1023, so a good encode sits well above 30 dB.
    expect(pq.quality.psnrDb).toBeGreaterThan(30);
    expect(pq.quality.sampledSeconds).toBeCloseTo(2, 0);
  }, 300_000);
});
