#!/usr/bin/env node
// Transcoder benchmark, rerunnable: `node bench/transcode/run.ts [--seconds 60] [--preset veryfast] [--repeat 3] [--keep]`.
// `--mode processing` measures tone mapping and deinterlacing instead (see processing.ts);
// `--mode codecs` each codec family's encode cost against H.264 (see codecs.ts);
// `--mode quality [--families h264,av1]` what measuring SSIM/PSNR per rendition and twin adds (see quality-cost.ts).
//
// In one run, on one generated 1080p30 clip:
//   1. overhead: the VideoForge transcoder (probe, fluent-ffmpeg run with progress
//      parsing, output checks, manifest) against bare ffmpeg spawned with exactly the
//      same arguments (toArgv of the same command), for the 1080p rendition;
//   2. strategy: per-rendition (one ffmpeg per rendition, as one Kubernetes Job each) against
//      the decode-once ladder (one ffmpeg, split), for the full ladder.
// Wall time is measured around each run; CPU time is this process's own CPU plus its
// reaped children's (cutime + cstime from /proc/self/stat), i.e. the kernel's
// resource accounting for ffmpeg/ffprobe. Linux only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseBenchArgs } from '../support/bench-args.ts';
import {
  bestSample,
  generatePhoneLikeClip,
  measureSample,
  medianSample,
  type Sample,
} from '../support/measure.ts';
import { benchTranscoderSettings, probeBenchSource } from '../support/transcoder.ts';
import { codecsBench } from './codecs.ts';
import { processingBench } from './processing.ts';
import { CodecFamiliesSetting } from '@videoforge/contracts';
import { qualityCostBench } from './quality-cost.ts';
import {
  buildRenditionCommand,
  planLadder,
  runLadder,
  runRendition,
  toArgv,
  X264_PRESETS,
  type EncodeOutcome,
} from '@videoforge/transcoder';

const Args = z.object({
  seconds: z.coerce.number().int().min(5).max(600).default(60),
  preset: z.enum(X264_PRESETS).default('veryfast'),
  repeat: z.coerce.number().int().min(1).max(10).default(3),
  keep: z.boolean().default(false),
  /** ladder: overhead and strategy (below); processing: tone-map and deinterlace cost (processing.ts). */
  mode: z.enum(['ladder', 'processing', 'codecs', 'quality']).default('ladder'),
  /** --mode quality: the families encoded and measured (each rendition's twins beside it). */
  families: CodecFamiliesSetting.default(['h264', 'av1']),
});

const args = parseBenchArgs(Args);

function succeeded(outcome: EncodeOutcome): void {
  if (!outcome.ok) throw new Error(`transcode failed: ${JSON.stringify(outcome.failure)}`);
}

function bareFfmpeg(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', argv, { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`)),
    );
  });
}

function busyNeighbours(): string {
  try {
    const out = execFileSync('pgrep', ['-fc', 'go build'], { encoding: 'utf8' }).trim();
    return `${out} 'go build' process(es) running`;
  } catch {
    return "no 'go build' running";
  }
}

async function main(): Promise<void> {
  if (args.mode === 'processing') {
    await processingBench(args);
    return;
  }
  if (args.mode === 'quality') {
    await qualityCostBench(args);
    return;
  }
  if (args.mode === 'codecs') {
    await codecsBench(args);
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-'));
  const loadBefore = loadavg();
  const neighboursBefore = busyNeighbours();
  try {
    process.stderr.write(`generating a ${args.seconds} s 1080p30 clip in ${dir} …\n`);
    const clip = path.join(dir, 'source.mp4');
    await generatePhoneLikeClip(clip, args.seconds);

    const settings = benchTranscoderSettings({ preset: args.preset });
    const probeOnce = async () => (await probeBenchSource(clip)).metadata;
    const { source, metadata } = await probeBenchSource(clip);
    const plan = planLadder(metadata, { keyframeIntervalSeconds: 2 });
    const top = plan.renditions[0];
    if (!top) throw new Error('empty ladder');
    const workDir = async (name: string) => {
      const target = path.join(dir, name);
      await rm(target, { recursive: true, force: true });
      await mkdir(target, { recursive: true });
      return target;
    };

    const bare: Sample[] = [];
    const forge: Sample[] = [];
    const perRendition: Sample[] = [];
    const ladder: Sample[] = [];
    const samplesByRendition = new Map<string, Sample[]>();
    const step = (round: number, what: string) =>
      process.stderr.write(`round ${round + 1}/${args.repeat}: ${what} …\n`);

    const runBare = async (round: number) => {
      step(round, `bare ffmpeg ${top.name}`);
      const bareDir = await workDir('bare');
      const command = buildRenditionCommand(
        { source, metadata, plan, settings: settings.encoder },
        { rendition: top, dir: path.join(bareDir, top.name) },
      );
      await mkdir(path.join(bareDir, top.name));
      bare.push(await measureSample(() => bareFfmpeg(toArgv(command))));
    };
    const runForge = async (round: number) => {
      step(round, `VideoForge ${top.name}`);
      const forgeDir = await workDir('forge');
      forge.push(
        await measureSample(async () => {
          const probed = await probeOnce();
          succeeded(
            await runRendition(
              { source, metadata: probed, plan, workDir: forgeDir, rendition: top },
              settings,
            ),
          );
        }),
      );
    };
    const runPerRendition = async (round: number) => {
      step(round, `per-rendition, ${plan.renditions.length} ffmpeg runs`);
      const perDir = await workDir('per-rendition');
      const renditionSamples: Sample[] = [];
      for (const rendition of plan.renditions) {
        const sample = await measureSample(async () =>
          succeeded(
            await runRendition(
              { source, metadata, plan, workDir: perDir, rendition: rendition },
              settings,
            ),
          ),
        );
        renditionSamples.push(sample);
        samplesByRendition.set(rendition.name, [
          ...(samplesByRendition.get(rendition.name) ?? []),
          sample,
        ]);
      }
      perRendition.push({
        wall: renditionSamples.reduce((sum, x) => sum + x.wall, 0),
        cpu: renditionSamples.reduce((sum, x) => sum + x.cpu, 0),
      });
    };
    const runLadderOnce = async (round: number) => {
      step(round, 'ladder, one ffmpeg');
      const ladderDir = await workDir('ladder');
      ladder.push(
        await measureSample(async () =>
          succeeded(
            await runLadder(
              { source, metadata, plan, workDir: ladderDir, renditions: plan.renditions },
              settings,
            ),
          ),
        ),
      );
    };

    // The order flips every round, so drift in the machine's speed (neighbours, thermal
    // limits) does not always favour the same side.
    for (let round = 0; round < args.repeat; round++) {
      const flip = round % 2 === 1;
      for (const task of flip
        ? [runForge, runBare, runLadderOnce, runPerRendition]
        : [runBare, runForge, runPerRendition, runLadderOnce]) {
        await task(round);
      }
    }

    const b = medianSample(bare);
    const f = medianSample(forge);
    const p = medianSample(perRendition);
    const l = medianSample(ladder);
    const bestB = bestSample(bare);
    const bestF = bestSample(forge);
    const bestP = bestSample(perRendition);
    const bestL = bestSample(ladder);
    const row = (label: string, s: Sample, fastest?: Sample) =>
      `${label.padEnd(44)}${s.wall.toFixed(2).padStart(9)}${s.cpu.toFixed(2).padStart(9)}` +
      (fastest
        ? `${fastest.wall.toFixed(2).padStart(11)}${fastest.cpu.toFixed(2).padStart(9)}`
        : '');
    const ratio = (
      label: string,
      wall: number,
      cpu: number,
      bestWall: number,
      bestCpu: number,
      note = '',
    ) =>
      `${label.padEnd(44)}${wall.toFixed(3).padStart(9)}${cpu.toFixed(3).padStart(9)}` +
      `${bestWall.toFixed(3).padStart(11)}${bestCpu.toFixed(3).padStart(9)}  ${note}`;
    const lines = [
      '',
      `VideoForge transcoder benchmark: ${args.seconds} s 1080p30 source (${Math.round(metadata.bitRateKbps ?? 0)} kb/s ` +
        `${metadata.video.profile ?? ''} H.264 + AAC), x264 preset ${args.preset}, ${args.repeat} round(s)`,
      `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); load average before ` +
        `${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}; ` +
        `${neighboursBefore} before, ${busyNeighbours()} after`,
      '',
      `${''.padEnd(44)}${'median of rounds'.padStart(18)}${'fastest round'.padStart(20)}`,
      `${'case'.padEnd(44)}${'wall s'.padStart(9)}${'CPU s'.padStart(9)}${'wall s'.padStart(11)}${'CPU s'.padStart(9)}`,
      row(`bare ffmpeg, ${top.name} rendition (same argv)`, b, bestB),
      row(`VideoForge probe + runRendition ${top.name}`, f, bestF),
      ratio(
        '  overhead ratio VideoForge / bare',
        f.wall / b.wall,
        f.cpu / b.cpu,
        bestF.wall / bestB.wall,
        bestF.cpu / bestB.cpu,
        'target ≤ 1.05',
      ),
      ...plan.renditions.map((rendition) =>
        row(
          `  per-rendition ${rendition.name} (${rendition.width}x${rendition.height})`,
          medianSample(samplesByRendition.get(rendition.name) ?? []),
        ),
      ),
      row(`per-rendition total (${plan.renditions.length} ffmpeg runs)`, p, bestP),
      row('ladder (1 ffmpeg, decode once, split)', l, bestL),
      ratio(
        '  ladder / per-rendition',
        l.wall / p.wall,
        l.cpu / p.cpu,
        bestL.wall / bestP.wall,
        bestL.cpu / bestP.cpu,
        'issue: 0.70 wall, 0.73 CPU (20 s clip)',
      ),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    process.stdout.write(
      `${JSON.stringify({
        seconds: args.seconds,
        preset: args.preset,
        repeat: args.repeat,
        bare: b,
        videoforge: f,
        overhead: { wall: f.wall / b.wall, cpu: f.cpu / b.cpu },
        overheadBest: { wall: bestF.wall / bestB.wall, cpu: bestF.cpu / bestB.cpu },
        perRendition: p,
        ladder: l,
        ladderVsPerRendition: { wall: l.wall / p.wall, cpu: l.cpu / p.cpu },
        ladderVsPerRenditionBest: { wall: bestL.wall / bestP.wall, cpu: bestL.cpu / bestP.cpu },
        loadBefore,
        loadAfter: loadavg(),
      })}\n`,
    );
  } finally {
    if (args.keep) process.stderr.write(`kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();
