#!/usr/bin/env node
// Rate-control quality benchmark, rerunnable:
//   node bench/quality/run.ts [--quick] [--seconds 10] [--preset veryfast] [--crf 16,19,22,25,28]
//                             [--abr 0.6] [--sources static,text,mandelbrot,noise]
//                             [--families h264,hevc,av1] [--keep]
//
// In one run, for each generated 1080p30 source (sources.ts) and each codec family (x264,
// x265, SVT-AV1; a family's ladder is its twins': the H.264 ladder at the family's share of
// the bit rates, FAMILY_BITRATE_FACTOR): the transcoder's own ladder
// step (runLadder: planLadder's renditions, buildLadderCommand, the tee muxer, the output
// checks) encodes the whole ladder once per setting: today's fixed-rate ABR at the
// ladder's bit rates (×1) and scaled (the --abr factors), and capped CRF at each --crf
// under the ladder's bit rates as the cap. Every rendition is scored with ffmpeg's ssim and
// psnr filters against the source put through the same filters the encoder was given
// (metrics.ts), and its bits are its HLS segments' mean bit rate (AVERAGE-BANDWIDTH).
//
// Reported: per source and over the set, the bits capped CRF needs for today's SSIM
// (interpolated over the CRF values), the SSIM it gains at today's bits, and the CRF
// that holds the set's mean SSIM at today's, per family: the basis of DEFAULT_RATE_CONTROL.
// --crf is in x264's scale; x265 and SVT-AV1 get it shifted as the transcoder shifts it.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CodecFamily, FAMILY_BITRATE_FACTOR } from '@videoforge/contracts';
import {
  DEFAULT_PROBE_LIMITS,
  DEFAULT_RATE_CONTROL,
  defaultTemplates,
  familyTwin,
  planLadder,
  probeSource,
  rateControlSetting,
  runLadder,
  X264_PRESETS,
  type LadderPlan,
  type RateControl,
} from '@videoforge/transcoder';
import {
  bitsAtEqualQuality,
  crfAtQuality,
  formatSaving,
  pool,
  qualityDbAtBits,
  ssimDb,
  type EqualQualityBits,
  type LadderPoint,
} from './compare.ts';
import { parseBenchArgs } from '../support/bench-args.ts';
import { cpuSeconds } from '../support/measure.ts';
import { benchTranscoderSettings } from '../support/transcoder.ts';
import { scoreRenditions, type RenditionScore } from './metrics.ts';
import { generateSource, QUALITY_SOURCES, QUICK_SOURCES } from './sources.ts';

/** A comma-separated list of numbers, e.g. `19,22,25`. */
const numberList = (item: z.ZodNumber) =>
  z
    .string()
    .transform((value) => value.split(',').map((entry) => Number(entry.trim())))
    .pipe(z.array(item).min(1));

const Args = z.object({
  quick: z.boolean().default(false),
  seconds: z.coerce.number().int().min(2).max(60).default(10),
  preset: z.enum(X264_PRESETS).default('veryfast'),
  /** Capped-CRF values measured (the CRF curve); --quick measures fewer. */
  crf: numberList(z.number().int().min(1).max(51)).optional(),
  /** Factors on the ladder's bit rates for the ABR curve; ×1 (today) is always measured. */
  abr: numberList(z.number().min(0.1).max(4)).default([0.6]),
  sources: z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(z.enum(QUALITY_SOURCES.map((s) => s.name) as [string, ...string[]])))
    .optional(),
  /** The codec families measured, each against its own ABR ladder. */
  families: z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .pipe(
      z
        .array(CodecFamily)
        .min(1)
        .refine((list) => new Set(list).size === list.length, 'lists a family twice'),
    )
    .default(['h264', 'hevc', 'av1']),
  keep: z.boolean().default(false),
});

const args = parseBenchArgs(Args);
const abrFactors = [...new Set([1, ...args.abr])].sort((a, b) => a - b);
const crfs = [...new Set(args.crf ?? (args.quick ? [16, 22, 28] : [16, 19, 22, 25, 28]))].sort(
  (a, b) => a - b,
);
/** The CRF the per-source table details: the configured default's, if measured. */
const DEFAULT_CRF =
  DEFAULT_RATE_CONTROL.mode === 'cappedCrf' && crfs.includes(DEFAULT_RATE_CONTROL.crf)
    ? DEFAULT_RATE_CONTROL.crf
    : (crfs[Math.floor(crfs.length / 2)] ?? 23);
const sourceNames =
  args.sources ?? (args.quick ? QUICK_SOURCES : QUALITY_SOURCES.map((s) => s.name));
interface Setting {
  label: string;
  rateControl: RateControl;
  /** The ladder's bit rates are multiplied by this (the ABR curve); 1 for CRF. */
  bitrateFactor: number;
}

interface RenditionResult extends RenditionScore {
  rendition: string;
  size: string;
  /** Mean bit rate over the segments (AVERAGE-BANDWIDTH), kb/s. */
  kbps: number;
  /** Peak segment bit rate (BANDWIDTH), kb/s. */
  peakKbps: number;
  capKbps: number;
}

interface SettingResult {
  setting: Setting;
  family: CodecFamily;
  renditions: RenditionResult[];
  point: LadderPoint;
  encodeCpuSeconds: number;
}

const settings: Setting[] = [
  ...abrFactors.map((factor) => ({
    label: factor === 1 ? 'abr (today)' : `abr ×${factor}`,
    rateControl: { mode: 'abr' } as const,
    bitrateFactor: factor,
  })),
  ...crfs.map((crf) => ({
    label: `capped-crf:${crf}`,
    rateControl: { mode: 'cappedCrf', crf } as const,
    bitrateFactor: 1,
  })),
];

const transcoderSettings = (rateControl: RateControl) =>
  benchTranscoderSettings({ preset: args.preset, rateControl });

function ladderPoint(renditions: readonly RenditionResult[]): LadderPoint {
  return pool(renditions.map((r) => ({ kbps: r.kbps, ssim: r.ssim })));
}

async function encodeAndScore(
  sourceFile: string,
  metadata: Parameters<typeof planLadder>[0],
  setting: Setting,
  family: CodecFamily,
  dir: string,
): Promise<SettingResult> {
  // The ladder's own templates, scaled for the ABR curve. The generated sources' bit
  // rates say nothing about their pictures (near-lossless storage), so they do not cap the renditions.
  const plan: LadderPlan = planLadder(
    { ...metadata, bitRateKbps: undefined, video: { ...metadata.video, bitRateKbps: undefined } },
    {
      keyframeIntervalSeconds: 2,
      templates: defaultTemplates().map((t) => ({
        ...t,
        videoBitrateKbps: Math.round(t.videoBitrateKbps * setting.bitrateFactor),
      })),
    },
  );
  // The family's ladder: H.264's renditions, or their twins in the family (its bit rates).
  const renditions =
    family === 'h264' ? plan.renditions : plan.renditions.map((r) => familyTwin(r, family));
  const workDir = path.join(dir, 'encode');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const cpu0 = cpuSeconds();
  const outcome = await runLadder(
    {
      source: { kind: 'file', path: sourceFile, protocols: ['file'] },
      metadata,
      plan,
      workDir,
      renditions,
    },
    transcoderSettings(setting.rateControl),
  );
  const encodeCpuSeconds = cpuSeconds() - cpu0;
  if (!outcome.ok) throw new Error(`encode failed: ${JSON.stringify(outcome.failure)}`);
  const scores = await scoreRenditions(
    sourceFile,
    plan,
    outcome.renditions.map((r, i) => ({
      rendition: renditions[i] ?? fail(`no rendition ${i}`),
      mp4: path.join(r.dir, r.manifest.mp4),
    })),
    workDir,
  );
  const expectedFrames = Math.round(metadata.durationSeconds * 30);
  const results = outcome.renditions.map((r, i): RenditionResult => {
    const score = scores[i] ?? fail(`no score ${i}`);
    if (Math.abs(score.frames - expectedFrames) > 1)
      throw new Error(
        `${r.manifest.name}: compared ${score.frames} frames, expected ${expectedFrames}`,
      );
    return {
      ...score,
      rendition: r.manifest.name,
      size: `${r.manifest.width}x${r.manifest.height}`,
      kbps: r.manifest.averageBandwidth / 1000,
      peakKbps: r.manifest.bandwidth / 1000,
      capKbps: renditions[i]?.maxrateKbps ?? 0,
    };
  });
  return { setting, family, renditions: results, point: ladderPoint(results), encodeCpuSeconds };
}

function fail(message: string): never {
  throw new Error(message);
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
const dB = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)} dB`;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-quality-'));
  const loadBefore = loadavg();
  const t0 = performance.now();
  const byFamily = new Map<CodecFamily, Map<string, SettingResult[]>>(
    args.families.map((family) => [family, new Map()]),
  );
  try {
    for (const name of sourceNames) {
      const source = QUALITY_SOURCES.find((s) => s.name === name) ?? fail(name);
      process.stderr.write(`${name}: generating ${args.seconds} s of 1080p30 …\n`);
      const file = await generateSource(source, args.seconds, dir);
      const probed = await probeSource(
        { kind: 'file', path: file, protocols: ['file'] },
        { ffprobePath: 'ffprobe', timeoutMs: 60_000, limits: DEFAULT_PROBE_LIMITS },
      );
      if (!probed.ok) throw new Error(probed.reason.message);
      for (const family of args.families) {
        const results: SettingResult[] = [];
        for (const setting of settings) {
          process.stderr.write(`${name}: ${family} ${setting.label} …\n`);
          results.push(await encodeAndScore(file, probed.metadata, setting, family, dir));
        }
        byFamily.get(family)?.set(name, results);
      }
      await rm(file, { force: true });
    }
    process.stdout.write(report(byFamily, loadBefore, (performance.now() - t0) / 1000));
  } finally {
    if (args.keep) process.stderr.write(`kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** The encoder's CRF for a configured (x264-scale) CRF, as the transcoder shifts it. */
const FAMILY_CRF = {
  h264: (crf: number) => crf,
  hevc: (crf: number) => Math.min(51, crf + 5),
  av1: (crf: number) => Math.min(63, crf + 12),
} as const satisfies Record<CodecFamily, (crf: number) => number>;

const FAMILY_ENCODER = { h264: 'x264', hevc: 'x265', av1: 'SVT-AV1' } as const;

/** One family's saving at equal SSIM, per source and over the set (the closing table). */
interface FamilySummary {
  perSource: Map<string, EqualQualityBits>;
  set: EqualQualityBits;
  setCrf: number | undefined;
}

function report(
  byFamily: ReadonlyMap<CodecFamily, ReadonlyMap<string, SettingResult[]>>,
  loadBefore: number[],
  wallSeconds: number,
): string {
  const lines: string[] = [
    '',
    `VideoForge rate-control quality benchmark: ${args.seconds} s 1080p30 sources, x264/x265 preset ${args.preset}, ` +
      `ladder ${defaultTemplates()
        .filter((t) => t.height <= 1080)
        .map((t) => `${t.name} ${t.videoBitrateKbps}k`)
        .join(' / ')}`,
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); load average before ` +
      `${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}; ${wallSeconds.toFixed(0)} s wall`,
    'SSIM: mean over frames of ffmpeg ssim "All"; dB = −10·log10(1 − SSIM); kb/s: mean over HLS segments (AVERAGE-BANDWIDTH), peak = BANDWIDTH',
    `families: ${args.families.map((f) => `${f} (${FAMILY_ENCODER[f]}, ×${FAMILY_BITRATE_FACTOR[f]} of the ladder's bit rates)`).join(', ')}`,
  ];
  const summaries = new Map<CodecFamily, FamilySummary>();
  for (const [family, bySource] of byFamily) {
    lines.push('', `# ${family}: ${FAMILY_ENCODER[family]}`);
    summaries.set(family, familyReport(family, bySource, lines));
  }
  const sources = [...(byFamily.values().next().value?.keys() ?? [])];
  lines.push(
    '',
    '# Bits capped CRF saves at equal SSIM against ABR, per family (ladder SSIM; CRF in x264 scale)',
    '',
    `${'family'.padEnd(8)}${sources.map((name) => name.padStart(14)).join('')}${'all'.padStart(26)}`,
  );
  for (const [family, summary] of summaries)
    lines.push(
      `${family.padEnd(8)}${sources.map((name) => formatShort(summary.perSource.get(name)).padStart(14)).join('')}` +
        `${`${formatShort(summary.set)}${summary.setCrf === undefined ? '' : ` (CRF ${summary.setCrf.toFixed(1)})`}`.padStart(26)}`,
    );
  lines.push(
    "(a family's default becomes capped CRF only where the set saves ≥ 15 %, issue 17's goal)",
    `configured default: ${rateControlSetting(DEFAULT_RATE_CONTROL)}`,
    '',
    JSON.stringify({
      seconds: args.seconds,
      preset: args.preset,
      families: Object.fromEntries(
        [...byFamily].map(([family, bySource]) => [
          family,
          Object.fromEntries(
            [...bySource].map(([name, results]) => [
              name,
              results.map((r) => ({
                setting: r.setting.label,
                point: r.point,
                encodeCpuSeconds: r.encodeCpuSeconds,
                renditions: r.renditions,
              })),
            ]),
          ),
        ]),
      ),
      summary: Object.fromEntries(
        [...summaries].map(([family, s]) => [
          family,
          { perSource: Object.fromEntries(s.perSource), set: s.set, setCrf: s.setCrf },
        ]),
      ),
    }),
    '',
  );
  return lines.join('\n');
}

function formatShort(saved: EqualQualityBits | undefined): string {
  if (!saved) return '—';
  return saved.kind === 'unreached' ? '—' : formatSaving(saved);
}

/** One family's tables, appended to `lines`; its savings for the closing table. */
function familyReport(
  family: CodecFamily,
  bySource: ReadonlyMap<string, SettingResult[]>,
  lines: string[],
): FamilySummary {
  const perSource = new Map<string, EqualQualityBits>();

  const abrToday = (results: readonly SettingResult[]) =>
    results.find((r) => r.setting.rateControl.mode === 'abr' && r.setting.bitrateFactor === 1) ??
    fail('no abr ×1');
  const abrCurve = (results: readonly SettingResult[]) =>
    results.filter((r) => r.setting.rateControl.mode === 'abr');
  const crfCurve = (results: readonly SettingResult[]) =>
    results.flatMap((r) =>
      r.setting.rateControl.mode === 'cappedCrf'
        ? [{ crf: r.setting.rateControl.crf, result: r, point: r.point }]
        : [],
    );
  const renditionPoint = (result: SettingResult, rendition: string): LadderPoint => {
    const found = result.renditions.find((r) => r.rendition === rendition) ?? fail(rendition);
    return { kbps: found.kbps, ssim: found.ssim };
  };
  /** Bits for today's SSIM rendition by rendition (no trading between renditions); unreached renditions at today's bits. */
  const strictBits = (results: readonly SettingResult[]) => {
    const today = abrToday(results);
    let kbps = 0;
    let unreached = 0;
    for (const rendition of today.renditions) {
      const saved = bitsAtEqualQuality(
        renditionPoint(today, rendition.rendition),
        crfCurve(results).map((c) => renditionPoint(c.result, rendition.rendition)),
      );
      if (saved.kind === 'unreached') unreached++;
      kbps += saved.kind === 'unreached' ? rendition.kbps : saved.kbps;
    }
    return { kbps, unreached };
  };
  const savedText = (saved: EqualQualityBits, crf: number | undefined) =>
    `${formatSaving(saved)}${crf === undefined ? '' : ` (CRF ${crf.toFixed(1)})`}`;

  for (const [name, results] of bySource) {
    const description = QUALITY_SOURCES.find((s) => s.name === name)?.description ?? '';
    lines.push('', `## ${name}: ${description}`, '');
    lines.push(
      `${'setting'.padEnd(16)}${'rendition'.padEnd(7)}${'kb/s'.padStart(8)}${'peak'.padStart(8)}${'cap'.padStart(7)}` +
        `${'SSIM'.padStart(9)}${'dB'.padStart(7)}${'PSNR'.padStart(7)}`,
    );
    for (const result of results) {
      for (const r of result.renditions) {
        lines.push(
          `${settingLabel(result.setting).padEnd(16)}${r.rendition.padEnd(7)}${r.kbps.toFixed(0).padStart(8)}` +
            `${r.peakKbps.toFixed(0).padStart(8)}${String(r.capKbps).padStart(7)}` +
            `${r.ssim.toFixed(5).padStart(9)}${ssimDb(r.ssim).toFixed(2).padStart(7)}${r.psnr.toFixed(2).padStart(7)}`,
        );
      }
      lines.push(
        `${''.padEnd(16)}${'ladder'.padEnd(7)}${result.point.kbps.toFixed(0).padStart(8)}${''.padStart(15)}` +
          `${result.point.ssim.toFixed(5).padStart(9)}${ssimDb(result.point.ssim).toFixed(2).padStart(7)}` +
          `   encode CPU ${result.encodeCpuSeconds.toFixed(1)} s`,
      );
    }
  }

  lines.push(
    '',
    "## Capped CRF against today's ABR, per source (ladder: kb/s summed, SSIM averaged over renditions)",
    '',
    `${'source'.padEnd(12)}${'ABR kb/s'.padStart(10)}${'ABR SSIM'.padStart(10)}` +
      `${'bits saved at equal ladder SSIM'.padStart(36)}${'rendition by rendition'.padStart(16)}` +
      `${`CRF ${DEFAULT_CRF}: bits`.padStart(16)}${'SSIM'.padStart(11)}${'at equal bits'.padStart(15)}`,
  );
  const total = { today: 0, equal: 0, strict: 0, unreached: 0 };
  for (const [name, results] of bySource) {
    const today = abrToday(results).point;
    const curve = crfCurve(results);
    const saved = bitsAtEqualQuality(
      today,
      curve.map((c) => c.point),
    );
    const strict = strictBits(results);
    total.today += today.kbps;
    total.equal += saved.kind === 'unreached' ? today.kbps : saved.kbps;
    total.strict += strict.kbps;
    total.unreached += strict.unreached + (saved.kind === 'unreached' ? 1 : 0);
    perSource.set(name, saved);
    const atDefault = curve.find((c) => c.crf === DEFAULT_CRF)?.point;
    const abrDbAtBits =
      atDefault &&
      qualityDbAtBits(
        atDefault.kbps,
        abrCurve(results).map((r) => r.point),
      );
    lines.push(
      `${name.padEnd(12)}${today.kbps.toFixed(0).padStart(10)}${today.ssim.toFixed(5).padStart(10)}` +
        `${savedText(saved, crfAtQuality(curve, today)).padStart(36)}` +
        `${`${pct(1 - strict.kbps / today.kbps).replace('+', '')}${strict.unreached ? '*' : ''}`.padStart(16)}` +
        `${(atDefault ? pct(atDefault.kbps / today.kbps - 1) : '—').padStart(16)}` +
        `${(atDefault ? dB(ssimDb(atDefault.ssim) - ssimDb(today.ssim)) : '—').padStart(11)}` +
        `${(atDefault && abrDbAtBits !== undefined ? dB(ssimDb(atDefault.ssim) - abrDbAtBits) : '—').padStart(15)}`,
    );
  }
  lines.push(
    `${'all'.padEnd(12)}${total.today.toFixed(0).padStart(10)}${''.padStart(10)}` +
      `${pct(1 - total.equal / total.today)
        .replace('+', '')
        .padStart(36)}` +
      `${pct(1 - total.strict / total.today)
        .replace('+', '')
        .padStart(16)}`,
    `(bits saved: what capped CRF, interpolated over CRF ${crfs.join('/')}, needs for today's SSIM; ` +
      '"rendition by rendition" holds every rendition at its own SSIM; ≥: even the highest CRF measured beats today; ' +
      `—/*: not reached by the lowest CRF measured (or the cap binds first), counted at today's bits${total.unreached ? `, ${total.unreached} case(s)` : ''}. ` +
      `"at equal bits": SSIM gained over the ABR curve (×${abrFactors.join(', ×')}) at CRF ${DEFAULT_CRF}'s bits)`,
  );

  const all = [...bySource.values()];
  const setToday = pool(all.map((results) => abrToday(results).point));
  const setCrf = crfs.map((crf) => ({
    crf,
    point: pool(
      all.map(
        (results) => crfCurve(results).find((c) => c.crf === crf)?.point ?? fail(`crf ${crf}`),
      ),
    ),
  }));
  const setSaved = bitsAtEqualQuality(
    setToday,
    setCrf.map((c) => c.point),
  );
  lines.push(
    '',
    '## One server-wide setting over the set (SSIM averaged over every source and rendition, bits summed)',
    '',
    `${'setting'.padEnd(16)}${'kb/s'.padStart(9)}${'vs today'.padStart(11)}${'SSIM'.padStart(10)}` +
      `${'vs today'.padStart(11)}${'worst source'.padStart(26)}`,
    `${'abr (today)'.padEnd(16)}${setToday.kbps.toFixed(0).padStart(9)}${''.padStart(11)}${setToday.ssim.toFixed(5).padStart(10)}`,
  );
  for (const { crf, point } of setCrf) {
    let worst = { name: '', delta: Infinity };
    for (const [name, results] of bySource) {
      const crfPoint = crfCurve(results).find((c) => c.crf === crf)?.point ?? fail(`crf ${crf}`);
      const delta = ssimDb(crfPoint.ssim) - ssimDb(abrToday(results).point.ssim);
      if (delta < worst.delta) worst = { name, delta };
    }
    lines.push(
      `${`capped-crf:${crf}`.padEnd(16)}${point.kbps.toFixed(0).padStart(9)}${pct(point.kbps / setToday.kbps - 1).padStart(11)}` +
        `${point.ssim.toFixed(5).padStart(10)}${dB(ssimDb(point.ssim) - ssimDb(setToday.ssim)).padStart(11)}` +
        `${`${worst.name} ${dB(worst.delta)}`.padStart(26)}`,
    );
  }
  const setCrfValue = crfAtQuality(setCrf, setToday);
  lines.push(
    '',
    `${family}: over the set, bits saved at equal SSIM: ${savedText(setSaved, setCrfValue)} ` +
      "(issue 17's goal: ≥ 15 %)",
  );
  return { perSource, set: setSaved, setCrf: setCrfValue };

  /** A setting as the family's encoder sees it: "capped-crf:22 (x265 27)". */
  function settingLabel(setting: Setting): string {
    if (setting.rateControl.mode !== 'cappedCrf' || family === 'h264') return setting.label;
    return `${setting.label} (${FAMILY_CRF[family](setting.rateControl.crf)})`;
  }
}

await main();
