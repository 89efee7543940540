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
  ) {
    const events: TranscoderEvent[] = [];
    const outcome = await transcodeRenditions(
      {
        jobId: job,
        source: source(),
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
});
