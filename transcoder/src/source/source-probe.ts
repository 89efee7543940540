import {
  classifySourceError,
  confinedFfprobeArgs,
  probeMedia,
  rateValue,
  runFfprobe,
  type ProbeResult,
  type SourceInput,
} from '@videoforge/platform/media';
import { assessTail, checkProbeLimits, type ProbeLimits } from './probe-limits.ts';

export interface ProbeDeps {
  ffprobePath: string;
  timeoutMs: number;
  limits: ProbeLimits;
}

/** The probe's settings out of the transcoder's. */
export function probeDepsOf(settings: {
  ffprobePath: string;
  probeTimeoutMs: number;
  probeLimits: ProbeLimits;
}): ProbeDeps {
  return {
    ffprobePath: settings.ffprobePath,
    timeoutMs: settings.probeTimeoutMs,
    limits: settings.probeLimits,
  };
}

/** How far before the declared end the truncation check starts reading. */
const TAIL_WINDOW_SECONDS = 3;

/**
 * Probes a source without downloading it: ffprobe reads the container header, then
 * seeks near the declared end to confirm the data is really there. Expected outcomes
 * (not a video, truncated, too large, server unreachable) come back as values.
 */
export async function probeSource(
  source: SourceInput,
  deps: ProbeDeps,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const runOptions = { ffprobePath: deps.ffprobePath, timeoutMs: deps.timeoutMs, signal };
  const header = await probeMedia(source, runOptions);
  if (!header.ok) return { ok: false, reason: header.reason };
  const result = checkProbeLimits(header, deps.limits);
  if (!result.ok) return result;

  const { video, durationSeconds } = result.metadata;
  const expectedEnd = header.startTimeSeconds + (video.durationSeconds ?? durationSeconds);
  const tail = await runFfprobe(
    confinedFfprobeArgs(source, [
      '-select_streams',
      String(video.index),
      '-read_intervals',
      `${Math.max(0, expectedEnd - TAIL_WINDOW_SECONDS).toFixed(3)}%`,
      '-show_entries',
      // AVI and some streams carry only decode timestamps.
      'packet=pts_time,dts_time',
      '-of',
      'csv=p=0',
    ]),
    runOptions,
  );
  if (tail.exitCode !== 0) {
    const failure = classifySourceError(tail.stderr);
    // The tail read is a second opinion; an unexplained failure there is left to the
    // post-encode duration check rather than refusing a file the header accepted.
    return failure.code === 'probe-failed' ? result : { ok: false, reason: failure };
  }
  const times = tail.stdout
    .split(/[\n,]/)
    .map((field) => Number.parseFloat(field))
    .filter((value) => Number.isFinite(value));
  const frameSeconds = 1 / rateValue(video.averageFrameRate ?? video.frameRate);
  return assessTail(times, expectedEnd, frameSeconds) ?? result;
}
