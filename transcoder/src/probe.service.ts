import { runFfprobe, type FfprobeRun } from './ffprobe.runner.ts';
import { rateValue } from './frame-rate.ts';
import {
  assessTail,
  classifySourceError,
  FfprobeOutput,
  interpretProbe,
  type ProbeLimits,
  type ProbeResult,
} from './probe.parser.ts';
import { ffmpegInputName, inputSafetyOptions, type SourceInput } from './source-policy.ts';

export interface ProbeDeps {
  ffprobePath: string;
  timeoutMs: number;
  limits: ProbeLimits;
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
  const input = ffmpegInputName(source);
  const safety = inputSafetyOptions(source);
  const run = (args: string[]): Promise<FfprobeRun> =>
    runFfprobe(['-v', 'error', '-hide_banner', ...safety, ...args, input], {
      ffprobePath: deps.ffprobePath,
      timeoutMs: deps.timeoutMs,
      signal,
    });

  const header = await run(['-of', 'json', '-show_format', '-show_streams']);
  if (header.exitCode !== 0) return { ok: false, reason: classifySourceError(header.stderr) };
  let json: unknown;
  try {
    json = JSON.parse(header.stdout);
  } catch {
    return {
      ok: false,
      reason: { kind: 'bad-input', code: 'unreadable', message: 'not a recognised media file' },
    };
  }
  const result = interpretProbe(json, deps.limits);
  if (!result.ok) return result;

  const { video, durationSeconds } = result.metadata;
  const startTime = Number(FfprobeOutput.safeParse(json).data?.format?.start_time ?? 0);
  const expectedEnd =
    (Number.isFinite(startTime) ? startTime : 0) + (video.durationSeconds ?? durationSeconds);
  const tail = await run([
    '-select_streams',
    String(video.index),
    '-read_intervals',
    `${Math.max(0, expectedEnd - TAIL_WINDOW_SECONDS).toFixed(3)}%`,
    '-show_entries',
    // AVI and some streams carry only decode timestamps.
    'packet=pts_time,dts_time',
    '-of',
    'csv=p=0',
  ]);
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
