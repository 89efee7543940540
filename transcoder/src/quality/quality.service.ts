import path from 'node:path';
import type { RenditionQuality } from '@videoforge/contracts';
import { runFfprobe, type SourceInput } from '@videoforge/platform/media';
import type { LadderPlan, PlannedRendition } from '../plan/ladder.ts';
import type { EncodedRendition } from '../steps/rendition-output.service.ts';
import { buildQualityArgs, planSampleWindows } from './quality-command.builder.ts';
import { parseQualityStats } from './quality-stats.parser.ts';

/** TRANSCODE_QUALITY_METRICS: `sampled` compares a bounded sample; `off` runs nothing. */
export type QualitySettings = { mode: 'off' } | { mode: 'sampled'; sampleSeconds: number };

export interface MeasureRequest {
  source: SourceInput;
  plan: LadderPlan;
  planned: PlannedRendition;
  rendition: EncodedRendition;
  signal?: AbortSignal | undefined;
}

/**
 * Measures one SDR rendition's SSIM and PSNR against the source on the sampled
 * windows (one ffmpeg run, no shell). An HDR twin is not measured: its reference would
 * be the PQ/HLG source, which 8-bit SSIM does not judge fairly. Quality is a report,
 * never a reason to fail the job, so a failed measurement is `undefined`.
 */
export async function measureRenditionQuality(
  request: MeasureRequest,
  settings: { ffmpegPath: string; timeoutMs: number; quality: QualitySettings },
): Promise<RenditionQuality | undefined> {
  if (settings.quality.mode === 'off' || request.planned.hdr) return undefined;
  const windows = planSampleWindows(
    request.rendition.manifest.durationSeconds,
    settings.quality.sampleSeconds,
  );
  const args = buildQualityArgs({
    source: request.source,
    plan: request.plan,
    rendition: request.planned,
    renditionMp4: path.join(request.rendition.dir, request.rendition.manifest.mp4),
    windows,
  });
  // The project's capture runner (a time limit with SIGKILL, no shell), as the idet pass uses it.
  const run = await runFfprobe(args, {
    ffprobePath: settings.ffmpegPath,
    timeoutMs: settings.timeoutMs,
    signal: request.signal,
  }).catch(() => undefined);
  if (!run || run.exitCode !== 0) return undefined;
  const stdout = run.stdout;
  try {
    const score = parseQualityStats(stdout);
    return {
      ssim: round(score.ssim, 5),
      psnrDb: round(score.psnrDb, 2),
      sampledSeconds: round(
        windows.reduce((sum, w) => sum + w.seconds, 0),
        3,
      ),
    };
  } catch {
    return undefined;
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
