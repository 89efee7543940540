import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RenditionQuality } from '@videoforge/contracts';
import { runFfprobe, type SourceInput } from '@videoforge/platform/media';
import type { LadderPlan, PlannedRendition } from '../plan/ladder.ts';
import type { EncodedRendition } from '../steps/rendition-output.service.ts';
import {
  buildQualityArgs,
  comparisonPixelFormat,
  planSampleWindows,
  type ComparedVariant,
} from './quality-command.builder.ts';
import { parseQualityStats } from './quality-stats.parser.ts';

/** TRANSCODE_QUALITY_METRICS: `sampled` compares a bounded sample; `off` runs nothing. */
export type QualitySettings = { mode: 'off' } | { mode: 'sampled'; sampleSeconds: number };

/** One finished variant to measure: what was planned and what the encode left on disk. */
export interface MeasuredVariant {
  planned: PlannedRendition;
  rendition: EncodedRendition;
}

export interface MeasureVariantsRequest {
  source: SourceInput;
  plan: LadderPlan;
  /** A rendition and its twins: one run decodes the source's sample once for all of them. */
  variants: readonly MeasuredVariant[];
  signal?: AbortSignal | undefined;
}

export type MeasureRequest = Omit<MeasureVariantsRequest, 'variants'> & MeasuredVariant;

interface MeasureSettings {
  ffmpegPath: string;
  timeoutMs: number;
  quality: QualitySettings;
}

/**
 * Measures each variant's SSIM and PSNR against the source on the sampled windows, in
 * one ffmpeg run (no shell): an SDR variant (H.264, HEVC, AV1) against the source as its
 * encoder saw it, an HDR twin in 10-bit against the source in its own PQ/HLG signal.
 * Quality is a report, never a reason to fail the job: a failed run measures nothing,
 * so the map is empty, and a variant whose stats cannot be read is left out.
 */
export async function measureVariantsQuality(
  request: MeasureVariantsRequest,
  settings: MeasureSettings,
): Promise<Map<string, RenditionQuality>> {
  const measured = new Map<string, RenditionQuality>();
  if (settings.quality.mode === 'off' || request.variants.length === 0) return measured;
  const windows = planSampleWindows(
    Math.min(...request.variants.map((v) => v.rendition.manifest.durationSeconds)),
    settings.quality.sampleSeconds,
  );
  // Stats beside each variant's files: a directory the encode just wrote, so writable.
  const compared: ComparedVariant[] = request.variants.map(({ planned, rendition }) => ({
    rendition: planned,
    mp4: path.join(rendition.dir, rendition.manifest.mp4),
    ssimStats: path.join(rendition.dir, 'quality.ssim.log'),
    psnrStats: path.join(rendition.dir, 'quality.psnr.log'),
  }));
  try {
    const args = buildQualityArgs({
      source: request.source,
      plan: request.plan,
      variants: compared,
      windows,
    });
    // The project's capture runner (a time limit with SIGKILL, no shell), as the idet pass uses it.
    const run = await runFfprobe(args, {
      ffprobePath: settings.ffmpegPath,
      timeoutMs: settings.timeoutMs,
      signal: request.signal,
    }).catch(() => undefined);
    if (!run || run.exitCode !== 0) return measured;
    const sampledSeconds = round(
      windows.reduce((sum, w) => sum + w.seconds, 0),
      3,
    );
    for (const variant of compared) {
      try {
        const peak = comparisonPixelFormat(variant.rendition) === 'yuv420p10le' ? 1023 : 255;
        const score = parseQualityStats(
          await readFile(variant.ssimStats, 'utf8'),
          await readFile(variant.psnrStats, 'utf8'),
          peak,
        );
        measured.set(variant.rendition.name, {
          ssim: round(score.ssim, 5),
          psnrDb: round(score.psnrDb, 2),
          sampledSeconds,
        });
      } catch {
        /* this variant's stats are missing or empty: not measured */
      }
    }
    return measured;
  } finally {
    await Promise.all(
      compared.flatMap((v) => [v.ssimStats, v.psnrStats]).map((file) => rm(file, { force: true })),
    );
  }
}

/** One variant's measured quality (see measureVariantsQuality); `undefined` when not measured. */
export async function measureRenditionQuality(
  request: MeasureRequest,
  settings: MeasureSettings,
): Promise<RenditionQuality | undefined> {
  const { planned, rendition, ...rest } = request;
  const measured = await measureVariantsQuality(
    { ...rest, variants: [{ planned, rendition }] },
    settings,
  );
  return measured.get(planned.name);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
