import { renditionMp4Name, renditionPrefix } from '@videoforge/contracts';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RenditionManifest, TracksManifest } from '@videoforge/contracts';
import type { StoragePort } from '@videoforge/platform/storage';
import { GLOBAL_OPTIONS, type FfmpegCommand } from '../ffmpeg/ffmpeg-command.builder.ts';
import { runFfmpeg } from '../ffmpeg/ffmpeg.runner.ts';
import { uploadFiles } from '../output/upload.service.ts';

/**
 * The progressive MP4 of a rendition with the main mix beside its video, both stream-copied:
 * the rendition's own MP4 is video only (its audio is the shared AAC rendition), so this is
 * a remux, not an encode. Mapping the video of the first input only makes it idempotent:
 * a retried finalize remuxes an already muxed file to the same result.
 */
export function buildMuxCommand(video: string, audio: string, target: string): FfmpegCommand {
  return {
    input: `file:${video}`,
    inputOptions: [...GLOBAL_OPTIONS, '-protocol_whitelist', 'file'],
    outputs: [
      {
        target: `file:${target}`,
        options: [
          '-i',
          `file:${audio}`,
          '-map',
          '0:v:0',
          '-map',
          '1:a:0',
          '-c',
          'copy',
          '-map_metadata',
          '-1',
          '-movflags',
          '+faststart',
          '-f',
          'mp4',
        ],
      },
    ],
  };
}

export type MuxOutcome = { ok: true } | { ok: false; message: string; cancelled: boolean };

/** Downloads each rendition's MP4 and the main mix, muxes them, and puts the MP4 back in place. */
export async function muxProgressiveDownloads(
  request: {
    storage: StoragePort;
    outputPrefix: string;
    manifests: readonly RenditionManifest[];
    tracks: TracksManifest;
    workDir: string;
    signal?: AbortSignal | undefined;
  },
  settings: { ffmpegPath: string; timeoutMs: number },
): Promise<MuxOutcome> {
  const { storage, outputPrefix, tracks, workDir } = request;
  if (!tracks.mainAudioFile) return { ok: true };
  const dir = path.join(workDir, 'mux');
  await mkdir(dir, { recursive: true });
  const audio = path.join(dir, 'main.m4a');
  await download(storage, `${outputPrefix}${tracks.mainAudioFile}`, audio);
  for (const manifest of request.manifests) {
    const name = renditionMp4Name(manifest.name);
    const key = `${renditionPrefix(outputPrefix, manifest.name)}${name}`;
    const video = path.join(dir, `video-${name}`);
    const target = path.join(dir, manifest.name, name);
    await mkdir(path.dirname(target), { recursive: true });
    await download(storage, key, video);
    const run = await runFfmpeg(buildMuxCommand(video, audio, target), {
      ffmpegPath: settings.ffmpegPath,
      durationSeconds: manifest.durationSeconds,
      timeoutMs: settings.timeoutMs,
      signal: request.signal,
      partialOutputs: [target],
    });
    if (!run.ok)
      return {
        ok: false,
        cancelled: run.reason === 'cancelled',
        message:
          `muxing ${name}: ${run.message} ${run.stderr.trim().split('\n').at(-1) ?? ''}`.trim(),
      };
    await uploadFiles(
      storage,
      renditionPrefix(outputPrefix, manifest.name),
      [{ name, path: target }],
      request.signal,
    );
  }
  return { ok: true };
}

async function download(storage: StoragePort, key: string, target: string): Promise<void> {
  await pipeline(await storage.get(key), createWriteStream(target));
}
