import { ffmpegInputName, inputSafetyOptions, type SourceInput } from '@videoforge/platform/media';
import { toneMapFilters } from '../plan/colour.ts';
import type { LadderPlan, PlannedRendition } from '../plan/ladder.ts';
import { decodeFilters, renditionVideoFilters } from '../plan/video-filter-chain.ts';

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

/** One variant to compare: its plan, its progressive MP4 and where its stats go. */
export interface ComparedVariant {
  rendition: PlannedRendition;
  mp4: string;
  ssimStats: string;
  psnrStats: string;
}

/**
 * The pixel format both sides of a comparison are in: an SDR variant's 8-bit 4:2:0 (what
 * every SDR encoder was given), an HDR twin's 10-bit 4:2:0, so SSIM and PSNR judge the
 * PQ/HLG signal the twin carries rather than an 8-bit rounding of it.
 */
export function comparisonPixelFormat(rendition: PlannedRendition): 'yuv420p' | 'yuv420p10le' {
  return rendition.hdr ? 'yuv420p10le' : 'yuv420p';
}

/**
 * The reference picture a variant is judged against: the source through the encoder's
 * own filters (deinterlace, frame rate, tone map for SDR, scale, pixel format), so like is
 * compared with like. An HDR twin's reference is not tone-mapped: the PQ/HLG domain.
 */
function referenceFilters(plan: LadderPlan, rendition: PlannedRendition): string[] {
  return [
    ...(rendition.hdr ? [] : toneMapFilters(plan.video.colour)),
    ...renditionVideoFilters(plan, rendition),
  ];
}

/**
 * The ffmpeg arguments that compare finished variants (their progressive MP4s) with the
 * source on the sampled windows, in one run: each window of the source is decoded once
 * and split into one reference per distinct filter chain (a rendition and its HEVC and
 * AV1 twins share one; an HDR twin has its own), then every variant is compared with its
 * reference. Every input seeks accurately to each window and stops after it. SSIM and
 * PSNR stats go to one file each per variant, one line per frame. The source keeps its
 * protocol and demuxer whitelists; the variants are local files and may open nothing else.
 */
export function buildQualityArgs(input: {
  source: SourceInput;
  plan: LadderPlan;
  variants: readonly ComparedVariant[];
  windows: readonly SampleWindow[];
}): string[] {
  const { plan, variants, windows } = input;
  if (variants.length === 0) throw new Error('nothing to compare');
  const perWindow = 1 + variants.length;
  const trim = (w: SampleWindow) => ['-ss', String(w.startSeconds), '-t', String(w.seconds)];
  const references = [
    ...new Set(variants.map((v) => referenceFilters(plan, v.rendition).join(','))),
  ];
  const referenceOf = (v: ComparedVariant) =>
    references.indexOf(referenceFilters(plan, v.rendition).join(','));
  const n = windows.length;
  const decode = ['setpts=PTS-STARTPTS', ...decodeFilters(plan)].join(',');
  const chains = [
    ...windows.flatMap((_, k) => {
      const source = `[${k * perWindow}:v:0]`;
      const decoded =
        references.length === 1
          ? [`${source}${decode},${references[0]}[ref0w${k}]`]
          : [
              `${source}${decode},split=${references.length}${references.map((_, g) => `[src${g}w${k}]`).join('')}`,
              ...references.map((filters, g) => `[src${g}w${k}]${filters}[ref${g}w${k}]`),
            ];
      return [
        ...decoded,
        ...variants.map(
          (v, i) =>
            `[${k * perWindow + 1 + i}:v:0]setpts=PTS-STARTPTS,format=${comparisonPixelFormat(v.rendition)}[dist${i}w${k}]`,
        ),
      ];
    }),
    ...references.map((_, g) => {
      const users = variants.flatMap((v, i) => (referenceOf(v) === g ? [i] : []));
      return `${windows.map((_, k) => `[ref${g}w${k}]`).join('')}concat=n=${n}:v=1:a=0,split=${2 * users.length}${users.map((i) => `[refa${i}][refb${i}]`).join('')}`;
    }),
    ...variants.flatMap((v, i) => [
      `${windows.map((_, k) => `[dist${i}w${k}]`).join('')}concat=n=${n}:v=1:a=0,split=2[dista${i}][distb${i}]`,
      `[dista${i}][refa${i}]ssim=stats_file=${filterOptionValue(v.ssimStats)}[ssim${i}]`,
      `[distb${i}][refb${i}]psnr=stats_file=${filterOptionValue(v.psnrStats)}[psnr${i}]`,
    ]),
  ];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats',
    ...windows.flatMap((w) => [
      ...trim(w), ...inputSafetyOptions(input.source), '-i', ffmpegInputName(input.source),
      ...variants.flatMap((v) => {
        const mp4: SourceInput = { kind: 'file', path: v.mp4, protocols: ['file'] };
        return [...trim(w), ...inputSafetyOptions(mp4), '-i', ffmpegInputName(mp4)];
      }),
    ]),
    '-filter_complex', chains.join(';'),
    ...variants.flatMap((_, i) => [
      '-map', `[ssim${i}]`, '-f', 'null', '-',
      '-map', `[psnr${i}]`, '-f', 'null', '-',
    ]),
  ]; // prettier-ignore
}

/**
 * A value as a filter option inside `-filter_complex`: escaped once for the option
 * parser (`\ ' :`) and once more for the graph parser (`\ ' [ ] , ;`), the two levels
 * ffmpeg's filtergraph documentation describes, so a path is read as one path.
 */
export function filterOptionValue(value: string): string {
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
