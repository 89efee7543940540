import { execFile } from 'node:child_process';

export interface FfprobeRun {
  /** 0 on success; -1 when the time limit killed it. */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface FfprobeRunOptions {
  ffprobePath: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs ffprobe with an argument array (never a shell) under a time limit (SIGKILL) and
 * hands back what it printed. A failed probe is a value; only "could not start"
 * (e.g. no ffprobe on PATH) and an abort are thrown. ffprobe is not driven through
 * fluent-ffmpeg: its parser reads the text output and drops the display-matrix side
 * data we need for rotation.
 */
export function runFfprobe(
  args: readonly string[],
  options: FfprobeRunOptions,
): Promise<FfprobeRun> {
  return new Promise((resolve, reject) => {
    execFile(
      options.ffprobePath,
      [...args],
      {
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        windowsHide: true,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ exitCode: 0, stdout, stderr, timedOut: false });
        if (error.name === 'AbortError') return reject(toError(error));
        if ('killed' in error && error.killed) {
          return resolve({
            exitCode: -1,
            stdout,
            stderr: `${stderr}\nffprobe timed out after ${options.timeoutMs} ms`,
            timedOut: true,
          });
        }
        if (typeof error.code === 'number')
          return resolve({ exitCode: error.code, stdout, stderr, timedOut: false });
        reject(toError(error));
      },
    );
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
