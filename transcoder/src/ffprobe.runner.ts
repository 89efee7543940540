import { execFile } from 'node:child_process';

export interface FfprobeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface FfprobeRunOptions {
  ffprobePath: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs ffprobe with an argument array (never a shell) and hands back what it printed.
 * ffprobe is not driven through fluent-ffmpeg: its parser reads the text output and
 * drops the display-matrix side data we need for rotation.
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
        if (!error) return resolve({ exitCode: 0, stdout, stderr });
        if (error.name === 'AbortError') return reject(toError(error));
        if ('killed' in error && error.killed) {
          return resolve({
            exitCode: -1,
            stdout,
            stderr: `${stderr}\nffprobe timed out after ${options.timeoutMs} ms`,
          });
        }
        if (typeof error.code === 'number')
          return resolve({ exitCode: error.code, stdout, stderr });
        reject(toError(error));
      },
    );
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
