import { ffmpegInputName, inputSafetyOptions, type SourceInput } from '@videoforge/platform/media';
import type { LadderPlan, PlannedRendition } from '../plan/ladder.ts';
import { renditionVideoFilters, sharedVideoFilters } from '../plan/video-filter-chain.ts';

/** How many windows a sample is cut into, spread over the title. */
export const QUALITY_WINDOWS = 3;

export interface SampleWindow {
  startSeconds: number;
  seconds: number;
}

/**
 * Where to compare: `QUALITY_WINDOWS` windows of equal length centred in equal thirds
 * of the title, `sampleSeconds` in all; a title no longer than that is compared whole.
 * The cost is bounded by `sampleSeconds`, not by the title's length.
 */
export function planSampleWindows(durationSeconds: number, sampleSeconds: number): SampleWindow[] {
  if (durationSeconds <= sampleSeconds) return [{ startSeconds: 0, seconds: durationSeconds }];
  const seconds = sampleSeconds / QUALITY_WINDOWS;
  const third = durationSeconds / QUALITY_WINDOWS;
  return Array.from({ length: QUALITY_WINDOWS }, (_, k) => ({
    startSeconds: round3(third * (k + 0.5) - seconds / 2),
    seconds: round3(seconds),
  }));
}

/**
 * The ffmpeg arguments that compare one finished rendition (its progressive MP4) with
 * the source on the sampled windows: both inputs seek accurately to each window and
 * stop after it; the source goes through the encoder's own filters (deinterlace, frame
 * rate, tone map, scale, pixel format), so like is compared with like. SSIM and PSNR
 * stats go to stdout, one line per frame. The source keeps its protocol and demuxer
 * whitelists; the rendition is a local file and may open nothing else.
 */
export function buildQualityArgs(input: {
  source: SourceInput;
  plan: LadderPlan;
  rendition: PlannedRendition;
  renditionMp4: string;
  windows: readonly SampleWindow[];
}): string[] {
  const { plan, rendition: planned, windows } = input;
  const rendition: SourceInput = { kind: 'file', path: input.renditionMp4, protocols: ['file'] };
  const trim = (w: SampleWindow) => ['-ss', String(w.startSeconds), '-t', String(w.seconds)];
  const reference = [...sharedVideoFilters(plan), ...renditionVideoFilters(plan, planned)].join(
    ',',
  );
  const n = windows.length;
  const chains = [
    ...windows.flatMap((_, k) => [
      `[${2 * k}:v:0]setpts=PTS-STARTPTS,${reference}[ref${k}]`,
      `[${2 * k + 1}:v:0]setpts=PTS-STARTPTS[dist${k}]`,
    ]),
    `${windows.map((_, k) => `[ref${k}]`).join('')}concat=n=${n}:v=1:a=0,split=2[refa][refb]`,
    `${windows.map((_, k) => `[dist${k}]`).join('')}concat=n=${n}:v=1:a=0,split=2[dista][distb]`,
    '[dista][refa]ssim=stats_file=-[ssim]',
    '[distb][refb]psnr=stats_file=-[psnr]',
  ];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats',
    ...windows.flatMap((w) => [
      ...trim(w), ...inputSafetyOptions(input.source), '-i', ffmpegInputName(input.source),
      ...trim(w), ...inputSafetyOptions(rendition), '-i', ffmpegInputName(rendition),
    ]),
    '-filter_complex', chains.join(';'),
    '-map', '[ssim]', '-f', 'null', '-',
    '-map', '[psnr]', '-f', 'null', '-',
  ]; // prettier-ignore
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
