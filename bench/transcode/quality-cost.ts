// `node bench/transcode/run.ts --mode quality [--seconds 60] [--repeat 3] [--families h264,av1]`:
// what measuring each rendition's and each twin's SSIM/PSNR (TRANSCODE_QUALITY_METRICS=sampled,
// 6 s) adds to the ladder encode of the same clip (every rendition and its twins in the
// --families), side by side in one run. `off` is the ladder encode alone; `sampled` is the
// same encode plus one comparison run per rendition (its twins compared in the same run, the
// source's sample decoded once), run after it here (in a job they overlap the uploads, so
// the wall figure is an upper bound).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { CodecFamily } from '@videoforge/contracts';
import {
  extraFamilies,
  familyTwin,
  measureVariantsQuality,
  planLadder,
  runLadder,
  type QualitySettings,
  type X264Preset,
} from '@videoforge/transcoder';
import {
  generatePhoneLikeClip,
  measureSample,
  medianSample,
  type Sample,
} from '../support/measure.ts';
import { benchTranscoderSettings, probeBenchSource } from '../support/transcoder.ts';

export async function qualityCostBench(args: {
  seconds: number;
  preset: X264Preset;
  repeat: number;
  keep: boolean;
  families: readonly CodecFamily[];
}): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-quality-'));
  const loadBefore = loadavg();
  try {
    process.stderr.write(`generating a ${args.seconds} s 1080p30 clip in ${dir} …\n`);
    const clip = path.join(dir, 'source.mp4');
    await generatePhoneLikeClip(clip, args.seconds);
    const { source, metadata } = await probeBenchSource(clip);
    const plan = planLadder(metadata, { keyframeIntervalSeconds: 2 });
    const twinsOf = (name: string) =>
      extraFamilies(args.families).map((family) =>
        familyTwin(
          plan.renditions.find((r) => r.name === name)!,
          family,
        ),
      );
    const renditions = plan.renditions.flatMap((r) => [r, ...twinsOf(r.name)]);
    const settings = (quality: QualitySettings) =>
      benchTranscoderSettings({ preset: args.preset, quality });
    const modes: Array<{ label: string; quality: QualitySettings }> = [
      { label: 'off', quality: { mode: 'off' } },
      { label: 'sampled', quality: { mode: 'sampled', sampleSeconds: 6 } },
    ];
    const samples = new Map<string, Sample[]>(modes.map((m) => [m.label, []]));
    const scores: string[] = [];
    for (let round = 0; round < args.repeat; round++) {
      for (const mode of modes) {
        process.stderr.write(`round ${round + 1}/${args.repeat}: ${mode.label} …\n`);
        const workDir = path.join(dir, mode.label);
        await rm(workDir, { recursive: true, force: true });
        await mkdir(workDir, { recursive: true });
        const s = settings(mode.quality);
        const sample = await measureSample(async () => {
          const outcome = await runLadder({ source, metadata, plan, workDir, renditions }, s);
          if (!outcome.ok) throw new Error(outcome.failure.message);
          if (mode.quality.mode === 'off') return;
          // As the transcoder does: one comparison run per rendition, its twins in it.
          for (const base of plan.renditions) {
            const variants = [base, ...twinsOf(base.name)].map((planned) => ({
              planned,
              rendition:
                outcome.renditions.find((r) => r.manifest.name === planned.name) ??
                fail(`${planned.name}: not encoded`),
            }));
            const measured = await measureVariantsQuality({ source, plan, variants }, s);
            for (const { planned } of variants) {
              const quality = measured.get(planned.name) ?? fail(`${planned.name}: not measured`);
              if (round === 0)
                scores.push(
                  `  ${planned.name}: SSIM ${quality.ssim.toFixed(4)}, PSNR ${quality.psnrDb.toFixed(2)} dB over ${quality.sampledSeconds} s`,
                );
            }
          }
        });
        samples.get(mode.label)!.push(sample);
      }
    }
    const off = medianSample(samples.get('off')!);
    const sampled = medianSample(samples.get('sampled')!);
    console.log(
      `machine: ${cpus().length} CPUs; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `${args.seconds} s 1080p30 clip, ${plan.renditions.length} renditions (${plan.renditions.map((r) => r.name).join(', ')}) in ${args.families.join(' + ')} (${renditions.length} variants), preset ${args.preset}, median of ${args.repeat}`,
    );
    console.log('mode        wall s   CPU s');
    for (const [label, s] of [
      ['off', off],
      ['sampled', sampled],
    ] as const)
      console.log(
        `${label.padEnd(10)} ${s.wall.toFixed(2).padStart(7)} ${s.cpu.toFixed(2).padStart(7)}`,
      );
    console.log(
      `sampled/off: CPU ${(sampled.cpu / off.cpu).toFixed(3)}× (+${(sampled.cpu - off.cpu).toFixed(2)} s), wall ${(sampled.wall / off.wall).toFixed(3)}× (+${(sampled.wall - off.wall).toFixed(2)} s)`,
    );
    console.log('measured (round 1):');
    for (const line of scores) console.log(line);
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  }
}

function fail(message: string): never {
  throw new Error(message);
}
