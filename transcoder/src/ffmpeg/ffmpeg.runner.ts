import { rm } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegCommand } from './ffmpeg-command.builder.ts';
import {
  isWorthReporting,
  outTimeSeconds,
  parseProgressLine,
  progressPercent,
} from './progress.parser.ts';

export interface RunOptions {
  ffmpegPath: string;
  /** Source duration, for progress percentages. */
  durationSeconds: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((percent: number) => void) | undefined;
  /** Files and directories removed unless the run succeeds. */
  partialOutputs: readonly string[];
}

export type RunOutcome =
  | { ok: true }
  | { ok: false; reason: 'cancelled' | 'timeout' | 'failed'; message: string; stderr: string };

const STDERR_LINES_KEPT = 40;

/** The fluent-ffmpeg command for our plain-data command; its arguments equal `toArgv`. */
export function toFluentCommand(command: FfmpegCommand, ffmpegPath: string): ffmpeg.FfmpegCommand {
  const job = ffmpeg().setFfmpegPath(ffmpegPath);
  job.input(command.input).inputOptions(...command.inputOptions);
  if (command.complexFilter) job.complexFilter(command.complexFilter);
  for (const output of command.outputs) {
    // Spread, not an array: fluent-ffmpeg splits array items that contain a space.
    job.output(output.target).outputOptions(...output.options);
  }
  return job;
}

/**
 * The one place ffmpeg runs: fluent-ffmpeg spawns it with an argument array (no shell),
 * we read `-progress` blocks from its stderr, and a time limit or an aborted signal
 * kills it. Whatever the ending, a run that did not succeed leaves no partial outputs.
 */
export function runFfmpeg(command: FfmpegCommand, options: RunOptions): Promise<RunOutcome> {
  const { signal } = options;
  const cleanup = async () => {
    await Promise.all(
      options.partialOutputs.map((target) => rm(target, { recursive: true, force: true })),
    );
  };
  if (signal?.aborted) {
    return cleanup().then(() => ({
      ok: false,
      reason: 'cancelled',
      message: 'cancelled before start',
      stderr: '',
    }));
  }

  return new Promise<RunOutcome>((resolve) => {
    const job = toFluentCommand(command, options.ffmpegPath);

    const errors: string[] = [];
    let fields = new Map<string, string>();
    let reported: number | undefined;
    let stopReason: 'cancelled' | 'timeout' | undefined;

    job.on('stderr', (line: string) => {
      const parsed = parseProgressLine(line);
      switch (parsed.kind) {
        case 'field':
          fields.set(parsed.key, parsed.value);
          return;
        case 'block-end': {
          const time = outTimeSeconds(fields);
          fields = new Map();
          if (time === undefined && !parsed.done) return;
          const percent = parsed.done ? 100 : progressPercent(time ?? 0, options.durationSeconds);
          if (options.onProgress && isWorthReporting(reported, percent, parsed.done)) {
            reported = percent;
            options.onProgress(percent);
          }
          return;
        }
        case 'other':
          errors.push(line);
          if (errors.length > STDERR_LINES_KEPT) errors.shift();
          return;
      }
    });

    let spawned = false;
    const stop = (reason: 'cancelled' | 'timeout') => {
      stopReason ??= reason;
      if (spawned) job.kill('SIGKILL');
    };
    // fluent-ffmpeg probes capabilities before spawning; a stop requested in that
    // window is carried out as soon as the process exists.
    job.on('start', () => {
      spawned = true;
      if (stopReason) job.kill('SIGKILL');
    });
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (outcome: RunOutcome) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (outcome.ok) return resolve(outcome);
      void cleanup().then(
        () => resolve(outcome),
        () => resolve(outcome),
      );
    };

    job.on('end', () => finish({ ok: true }));
    job.on('error', (error: Error) => {
      const stderr = errors.join('\n');
      switch (stopReason) {
        case 'cancelled':
          return finish({
            ok: false,
            reason: 'cancelled',
            message: 'cancelled; ffmpeg was stopped',
            stderr,
          });
        case 'timeout':
          return finish({
            ok: false,
            reason: 'timeout',
            message: `ffmpeg exceeded its ${Math.round(options.timeoutMs / 1000)} s time limit`,
            stderr,
          });
        case undefined:
          return finish({
            ok: false,
            reason: 'failed',
            message: error.message.split('\n')[0] ?? 'ffmpeg failed',
            stderr,
          });
      }
    });
    job.run();
  });
}
