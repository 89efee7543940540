import { runFfprobe } from './ffprobe.runner.ts';
import {
  classifySourceError,
  interpretFfprobe,
  type ProbedMedia,
  type ProbeFailure,
} from './probe.parser.ts';
import { ffmpegInputName, inputSafetyOptions, type SourceInput } from './source-input.ts';

export interface ProbeMediaOptions {
  ffprobePath: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export type MediaProbe =
  ({ ok: true } & ProbedMedia) | { ok: false; reason: ProbeFailure; timedOut: boolean };

/** The arguments that confine every ffprobe run to its source: no other protocol or demuxer. */
export function confinedFfprobeArgs(source: SourceInput, args: readonly string[]): string[] {
  return [
    ...['-v', 'error', '-hide_banner'],
    ...inputSafetyOptions(source),
    ...args,
    ffmpegInputName(source),
  ];
}

/**
 * Reads a source's container header with ffprobe (ranged reads for a URL: the file is
 * never downloaded whole) and turns it into zod-checked metadata. Expected outcomes (not
 * a video, not allowed, unreachable, timed out) come back as values; only a ffprobe that
 * cannot start at all, or an abort, is thrown.
 */
export async function probeMedia(
  source: SourceInput,
  options: ProbeMediaOptions,
): Promise<MediaProbe> {
  const run = await runFfprobe(
    confinedFfprobeArgs(source, ['-of', 'json', '-show_format', '-show_streams']),
    options,
  );
  if (run.exitCode !== 0)
    return { ok: false, reason: classifySourceError(run.stderr), timedOut: run.timedOut };
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    return {
      ok: false,
      reason: { kind: 'bad-input', code: 'unreadable', message: 'not a recognised media file' },
      timedOut: false,
    };
  }
  const header = interpretFfprobe(json);
  return header.ok ? header : { ...header, timedOut: false };
}
