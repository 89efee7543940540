// `node bench/transcode/run.ts --mode codecs [--seconds 20] [--preset veryfast] [--repeat 2]`
//
// The encode cost of each codec family against H.264, side by side in one run on one
// generated 1080p30 clip: the 720p rendition encoded by the transcoder (runRendition) as
// H.264 (x264), HEVC (x265, same preset) and AV1 (SVT-AV1 at presets 8, 10, 12), plus a
// decode-and-scale-only pass, so the encoder's own share can be told from the decode
// every family repeats when run alone (a ladder shares it). CPU time is this process's
// plus its reaped children's (cutime + cstime), as in run.ts.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FAMILY_ENCODE_COST, type CodecFamily } from '@videoforge/contracts';
import {
  DEFAULT_AV1_PRESET,
  familyTwin,
  planLadder,
  runRendition,
  type X264Preset,
} from '@videoforge/transcoder';
import {
  generatePhoneLikeClip,
  measureSample,
  medianSample,
  type Sample,
} from '../support/measure.ts';
import { benchTranscoderSettings, probeBenchSource } from '../support/transcoder.ts';

const run = promisify(execFile);

export interface CodecsBenchArgs {
  seconds: number;
  preset: X264Preset;
  repeat: number;
  keep: boolean;
}

interface Case {
  label: string;
  family: CodecFamily | 'decode';
  av1Preset?: number;
}

const CASES: readonly Case[] = [
  { label: 'decode + scale only', family: 'decode' },
  { label: 'H.264 (x264)', family: 'h264' },
  { label: 'HEVC (x265)', family: 'hevc' },
  { label: 'AV1 (SVT-AV1 preset 8)', family: 'av1', av1Preset: 8 },
  { label: `AV1 (SVT-AV1 preset ${DEFAULT_AV1_PRESET}, default)`, family: 'av1', av1Preset: DEFAULT_AV1_PRESET },
  { label: 'AV1 (SVT-AV1 preset 12)', family: 'av1', av1Preset: 12 },
]; // prettier-ignore

export async function codecsBench(args: CodecsBenchArgs): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-codecs-'));
  const loadBefore = loadavg();
  try {
    process.stderr.write(`generating a ${args.seconds} s 1080p30 clip in ${dir} …\n`);
    const clip = path.join(dir, 'source.mp4');
    await generatePhoneLikeClip(clip, args.seconds);
    const { source, metadata } = await probeBenchSource(clip);
    const plan = planLadder(metadata, { keyframeIntervalSeconds: 2, maxFrameRate: 60 });
    const base = plan.renditions.find((rendition) => rendition.name === '720p');
    if (!base) throw new Error('no 720p rendition');
    const settings = (av1Preset: number) =>
      benchTranscoderSettings({ preset: args.preset, av1Preset });

    const samples = new Map<string, Sample[]>(CASES.map((c) => [c.label, []]));
    const kbps = new Map<string, number>();
    for (let round = 0; round < args.repeat; round++) {
      // The order flips every round so neighbours' load does not favour one case.
      const ordered = round % 2 === 0 ? CASES : [...CASES].reverse();
      for (const testCase of ordered) {
        const workDir = path.join(dir, `work-${round}-${CASES.indexOf(testCase)}`);
        await mkdir(workDir, { recursive: true });
        process.stderr.write(`round ${round + 1}: ${testCase.label} …\n`);
        const sample = await measureSample(async () => {
          if (testCase.family === 'decode') {
            await run('ffmpeg', [
              '-hide_banner', '-loglevel', 'error', '-i', clip,
              '-vf', `fps=${plan.frameRate.num}/${plan.frameRate.den},scale=${base.width}:${base.height},format=yuv420p`,
              '-f', 'null', '-',
            ]); // prettier-ignore
            return;
          }
          const rendition = testCase.family === 'h264' ? base : familyTwin(base, testCase.family);
          const outcome = await runRendition(
            { source, metadata, plan, workDir, rendition: rendition },
            settings(testCase.av1Preset ?? DEFAULT_AV1_PRESET),
          );
          if (!outcome.ok) throw new Error(JSON.stringify(outcome.failure));
          kbps.set(
            testCase.label,
            Math.round((outcome.renditions[0]?.manifest.averageBandwidth ?? 0) / 1000),
          );
        });
        samples.get(testCase.label)?.push(sample);
        await rm(workDir, { recursive: true, force: true });
      }
    }

    const m = (label: string) => medianSample(samples.get(label) ?? []);
    const decode = m(CASES[0]?.label ?? '');
    const h264 = m(CASES[1]?.label ?? '');
    const encodeOnly = (s: Sample) => Math.max(0, s.cpu - decode.cpu);
    console.log(
      `VideoForge codec-family benchmark: ${args.seconds} s 1080p30 source, 720p rendition, x264/x265 preset ${args.preset}, ABR, ${args.repeat} round(s), medians\n` +
        `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n`,
    );
    console.log(
      `${'case'.padEnd(36)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'CPU/H.264'.padStart(10)} ${'encode/H.264'.padStart(13)} ${'avg kb/s'.padStart(9)}`,
    );
    for (const testCase of CASES) {
      const s = m(testCase.label);
      const versus =
        testCase.family === 'decode'
          ? ''
          : `${(s.cpu / h264.cpu).toFixed(2)}×`.padStart(10) +
            ` ${`${(encodeOnly(s) / encodeOnly(h264)).toFixed(2)}×`.padStart(13)}`;
      console.log(
        `${testCase.label.padEnd(36)} ${s.wall.toFixed(2).padStart(8)} ${s.cpu.toFixed(2).padStart(8)} ${versus.padEnd(24)} ${String(kbps.get(testCase.label) ?? '').padStart(9)}`,
      );
    }
    console.log(
      `\nFAMILY_ENCODE_COST in contracts (the CPU-request multipliers): ${JSON.stringify(FAMILY_ENCODE_COST)}`,
    );
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  }
}
