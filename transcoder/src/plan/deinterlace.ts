import type { FieldOrder, FrameRate, VideoStreamInfo } from '@videoforge/contracts';
import {
  ffmpegInputName,
  inputSafetyOptions,
  rateValue,
  reduceRate,
  runFfprobe,
  type SourceInput,
} from '@videoforge/platform/media';

/** How interlacing was established: from the container's field_order, or by an idet pass. */
export interface InterlaceDetection {
  interlaced: boolean;
  parity: 'tff' | 'bff';
  detectedBy: 'field-order' | 'idet';
}

/** field: one output frame per field (59.94p from 1080i29.97); frame: one per frame. */
export type DeinterlaceRate = 'field' | 'frame';

export interface DeinterlacePlan {
  parity: 'tff' | 'bff';
  rate: 'field-rate' | 'frame-rate';
  detectedBy: 'field-order' | 'idet';
}

/**
 * What the probe's field_order says, or undefined when it says nothing useful (absent or
 * "unknown"), in which case an idet pass decides. tt/tb are top field first in display
 * order, bb/bt bottom field first.
 */
export function interlaceFromFieldOrder(
  fieldOrder: FieldOrder | undefined,
): InterlaceDetection | undefined {
  switch (fieldOrder) {
    case 'progressive':
      return { interlaced: false, parity: 'tff', detectedBy: 'field-order' };
    case 'tt':
    case 'tb':
      return { interlaced: true, parity: 'tff', detectedBy: 'field-order' };
    case 'bb':
    case 'bt':
      return { interlaced: true, parity: 'bff', detectedBy: 'field-order' };
    case 'unknown':
    case undefined:
      return undefined;
  }
}

export interface IdetCounts {
  tff: number;
  bff: number;
  progressive: number;
  undetermined: number;
}

/** The idet filter's "Multi frame detection" summary line (steadier than single-frame). */
export function parseIdetSummary(stderr: string): IdetCounts | undefined {
  const match =
    /Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)\s*Undetermined:\s*(\d+)/.exec(
      stderr,
    );
  if (!match) return undefined;
  return {
    tff: Number(match[1]),
    bff: Number(match[2]),
    progressive: Number(match[3]),
    undetermined: Number(match[4]),
  };
}

/**
 * Interlaced when at least 90 % of the frames idet could decide on are interlaced.
 * idet mistakes sharp-edged fast motion in progressive video for combing (ffmpeg's
 * testsrc2 pattern reads as ~80 % TFF), while woven fields read as ~100 %.
 */
export function interlaceFromIdet(counts: IdetCounts): InterlaceDetection {
  const interlaced = counts.tff + counts.bff;
  const decided = interlaced + counts.progressive;
  return {
    interlaced: decided >= 10 && interlaced / decided >= 0.9,
    parity: counts.bff > counts.tff ? 'bff' : 'tff',
    detectedBy: 'idet',
  };
}

export const IDET_FRAMES = 120;

/**
 * A short idet pass over the first frames, for sources whose container does not state a
 * field order. A pass that fails or prints no summary leaves the source progressive:
 * the encode that follows reports a bad source far more precisely.
 */
export async function detectInterlacing(
  source: SourceInput,
  video: VideoStreamInfo,
  options: { ffmpegPath: string; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<InterlaceDetection> {
  const known = interlaceFromFieldOrder(video.fieldOrder);
  if (known) return known;
  const run = await runFfprobe(
    [
      '-hide_banner',
      '-nostats',
      '-loglevel',
      'info',
      ...inputSafetyOptions(source),
      '-i',
      ffmpegInputName(source),
      '-map',
      `0:${video.index}`,
      '-vf',
      'idet',
      '-frames:v',
      String(IDET_FRAMES),
      '-an',
      '-sn',
      '-dn',
      '-f',
      'null',
      '-',
    ],
    { ffprobePath: options.ffmpegPath, timeoutMs: options.timeoutMs, signal: options.signal },
  );
  const counts = parseIdetSummary(run.stderr);
  return counts
    ? interlaceFromIdet(counts)
    : { interlaced: false, parity: 'tff', detectedBy: 'idet' };
}

/**
 * Field rate when the ladder's frame-rate cap allows it (motion stays as smooth as the
 * broadcast: 1080i29.97 → 59.94p), frame rate otherwise or when configured.
 */
export function planDeinterlace(
  detection: InterlaceDetection | undefined,
  frameRate: FrameRate,
  maxFrameRate: number,
  preferred: DeinterlaceRate,
): { plan: DeinterlacePlan | null; frameRate: FrameRate } {
  if (!detection?.interlaced) return { plan: null, frameRate };
  const fieldRate = reduceRate({ num: frameRate.num * 2, den: frameRate.den });
  const useFieldRate = preferred === 'field' && rateValue(fieldRate) <= maxFrameRate + 1e-9;
  return {
    plan: {
      parity: detection.parity,
      rate: useFieldRate ? 'field-rate' : 'frame-rate',
      detectedBy: detection.detectedBy,
    },
    frameRate: useFieldRate ? fieldRate : frameRate,
  };
}

/** bwdif with the detected parity, deinterlacing every frame (flags in the stream may be missing). */
export function deinterlaceFilter(plan: DeinterlacePlan | null): string[] {
  if (!plan) return [];
  const mode = plan.rate === 'field-rate' ? 'send_field' : 'send_frame';
  return [`bwdif=mode=${mode}:parity=${plan.parity}:deint=all`];
}
