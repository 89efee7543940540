import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StoragePort } from '@videoforge/platform/storage';

const run = promisify(execFile);

export interface TestClipOptions {
  /** WIDTHxHEIGHT of ffmpeg's testsrc2 pattern, e.g. '854x480'. */
  size: string;
  seconds: number;
  /** Adds a 440 Hz tone as AAC. */
  audio?: boolean;
  /** The file's name in `dir`; clip.mp4 unless given. */
  name?: string;
}

/**
 * A short H.264 4:2:0 clip (25 fps, x264 ultrafast, faststart) from ffmpeg's lavfi test
 * sources, written to `dir`; resolves with its path.
 */
export async function makeTestClip(
  dir: string,
  { size, seconds, audio = false, name = 'clip.mp4' }: TestClipOptions,
): Promise<string> {
  const clip = path.join(dir, name);
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=25`,
    ...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-shortest'] : []),
    '-movflags',
    '+faststart',
    clip,
  ]);
  return clip;
}

/** makeTestClip, then the clip stored at `key`, as an upload leaves a source video. */
export async function storeTestClip(
  storage: StoragePort,
  key: string,
  dir: string,
  options: TestClipOptions,
): Promise<void> {
  const clip = await makeTestClip(dir, options);
  await storage.put(key, await readFile(clip), { contentType: 'video/mp4' });
}
