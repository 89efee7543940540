import path from 'node:path';
import type { AllInOneConfig } from './config.ts';

// The transcoder child gets what it reads (storage, its own TRANSCODE_* knobs, tool
// paths, logging) and nothing else: not the database password or the JWT secret.
const PASSED =
  /^(PATH|HOME|TMPDIR|LANG|TZ|LOG_LEVEL|FFMPEG_PATH|FFPROBE_PATH|STORAGE_.+|S3_.+|AWS_.+|TRANSCODE_.+)$/;

/** The environment for `videoforge-transcode` children of this process. */
export function transcoderEnvironment(
  config: AllInOneConfig,
  env: NodeJS.ProcessEnv,
  apiBaseUrl: string,
): Record<string, string> {
  const passed = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => PASSED.test(entry[0]) && entry[1] !== undefined,
    ),
  );
  return {
    ...passed,
    STORAGE_DRIVER: config.STORAGE_DRIVER,
    // Absolute, so the child finds the same files (and signing secret) wherever it runs.
    LOCAL_STORAGE_DIR: path.resolve(config.LOCAL_STORAGE_DIR),
    PUBLIC_BASE_URL: apiBaseUrl,
    // Sources are fetched through the API's own signed URLs on loopback.
    TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
  };
}
