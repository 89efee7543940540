import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLocalStorage, type LocalStorage } from '@videoforge/platform/storage';
import type { X264Preset } from '../ffmpeg/ffmpeg-command.builder.ts';
import { DEFAULT_RATE_CONTROL } from '../ffmpeg/rate-control.ts';
import { DEFAULT_COLOUR_SETTINGS } from '../plan/colour.ts';
import { DEFAULT_PROBE_LIMITS } from '../source/probe-limits.ts';
import type { TranscoderSettings } from '../steps/transcode.service.ts';

// Helpers for the *.integration.test.ts files: lavfi clips, ffprobe read-backs, a
// loopback HTTP server, and the real local storage adapter over a temp directory.

const run = promisify(execFile);

/** x264 preset for tests; VIDEOFORGE_TEST_PRESET=veryfast exercises the production-like path. */
export function testSettings(overrides: Partial<TranscoderSettings> = {}): TranscoderSettings {
  const preset = (process.env.VIDEOFORGE_TEST_PRESET ?? 'ultrafast') as X264Preset;
  return {
    ffmpegPath: 'ffmpeg',
    ffprobePath: 'ffprobe',
    // SVT-AV1's fastest preset, as ultrafast is x264's: tests check structure, not quality.
    encoder: { preset, av1Preset: 12, segmentSeconds: 6, rateControl: DEFAULT_RATE_CONTROL },
    codecs: ['h264'],
    keyframeIntervalSeconds: 2,
    maxFrameRate: 60,
    colour: DEFAULT_COLOUR_SETTINGS,
    deinterlaceRate: 'field',
    timeoutMs: 120_000,
    probeTimeoutMs: 30_000,
    probeLimits: DEFAULT_PROBE_LIMITS,
    // Tests that check quality turn it on; the rest keep their ffmpeg runs to the encode.
    quality: { mode: 'off' },
    ...overrides,
  };
}

/** Runs ffmpeg to make a test clip; `args` are everything between the global options and the output. */
export async function makeClip(
  dir: string,
  name: string,
  args: readonly string[],
): Promise<string> {
  const target = path.join(dir, name);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, target]);
  return target;
}

/** A stereo tone, as lavfi input arguments. */
export function stereoTone(seconds: number): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=0.2*sin(440*2*PI*t)|0.2*sin(660*2*PI*t):s=48000:d=${seconds}`,
  ];
}

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  profile?: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  channels?: number;
  sample_rate?: string;
}

export async function probeFile(
  file: string,
): Promise<{ streams: ProbedStream[]; duration: number }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-of',
    'json',
    '-show_format',
    '-show_streams',
    file,
  ]);
  const json = JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration: string } };
  return { streams: json.streams, duration: Number(json.format.duration) };
}

/** Presentation times of the video keyframes, read from packet flags (no decoding). */
export async function keyframeTimes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file,
  ]); // prettier-ignore
  return stdout
    .split('\n')
    .filter((line) => line.includes('K'))
    .map((line) => Number(line.split(',')[0]))
    .sort((a, b) => a - b);
}

export function tempStorage(rootDir: string): LocalStorage {
  return createLocalStorage({
    rootDir,
    publicBaseUrl: 'http://127.0.0.1:9/api/storage',
    signingSecret: 'integration-test-secret-0123456789abcdef',
  });
}

export async function listKeys(storage: LocalStorage, prefix: string): Promise<string[]> {
  return (await storage.list(prefix)).objects.map((object) => object.key);
}

/** A loopback HTTP server for a directory, with Range support (ffmpeg seeks over HTTP). */
export async function serveDirectory(
  dir: string,
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const file = path.join(
        dir,
        path.basename(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)),
      );
      const size = await stat(file).then(
        (info) => info.size,
        () => undefined,
      );
      if (size === undefined) {
        response.writeHead(404).end();
        return;
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (start >= size) {
          response.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
          return;
        }
        response.writeHead(206, {
          'Content-Length': end - start + 1,
          'Content-Range': `bytes ${start}-${end}/${size}`,
          'Accept-Ranges': 'bytes',
        });
        createReadStream(file, { start, end }).pipe(response);
        return;
      }
      response.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      createReadStream(file).pipe(response);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
