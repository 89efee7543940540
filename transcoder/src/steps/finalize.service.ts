import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  renditionPrefix,
  RenditionManifest,
  TRACKS_MANIFEST,
  TracksManifest,
  type MediaMetadata,
  type TranscoderEvent,
} from '@videoforge/contracts';
import { ObjectNotFoundError } from '@videoforge/platform/storage';
import type { SourceInput } from '@videoforge/platform/media';
import type { StoragePort } from '@videoforge/platform/storage';
import {
  buildPosterCommand,
  buildSpriteCommand,
  type FfmpegCommand,
} from '../ffmpeg/ffmpeg-command.builder.ts';
import { runFfmpeg } from '../ffmpeg/ffmpeg.runner.ts';
import { renderMasterPlaylist } from '../output/hls-playlist.ts';
import { FINAL_FILES, RENDITION_FILES } from '../output/output-layout.ts';
import { probeDepsOf, probeSource } from '../source/source-probe.ts';
import { muxProgressiveDownloads } from './progressive-mux.service.ts';
import {
  planPoster,
  planSprite,
  POSTER_LONG_SIDE,
  renderThumbnailsVtt,
  thumbnailRenditions,
} from '../output/thumbnails.ts';
import { defaultTemplates, type VideoTreatment } from '../plan/ladder.ts';
import {
  failureFromRun,
  planForSource,
  stepFailure,
  type TranscodeFailure,
  type TranscoderSettings,
} from './transcode.service.ts';
import { uploadFiles } from '../output/upload.service.ts';

export interface FinalizeRequest {
  jobId: string;
  source: SourceInput;
  outputPrefix: string;
  /** Renditions that must be present; when omitted, whatever manifests exist are used. */
  expectedRenditions?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: TranscoderEvent) => void) | undefined;
}

export interface FinalizeDeps {
  settings: TranscoderSettings;
  storage: StoragePort;
  workRoot: string;
}

export type FinalizeOutcome =
  | {
      status: 'succeeded';
      masterKey: string;
      posterKey: string;
      spriteKey: string;
      thumbnailsKey: string;
      renditions: string[];
    }
  | { status: 'failed'; failure: TranscodeFailure };

/**
 * The job's last step, after every rendition uploaded its manifest: poster, seek
 * sprite and WebVTT thumbnails from finished renditions, then the master playlist built
 * from the manifests. The master goes up last: once it exists the video is playable.
 */
export async function finalizeOutputs(
  request: FinalizeRequest,
  deps: FinalizeDeps,
): Promise<FinalizeOutcome> {
  const { settings, storage, outputPrefix } = { ...deps, outputPrefix: request.outputPrefix };
  const emit = request.onEvent ?? (() => undefined);
  const failed = (failure: TranscodeFailure): FinalizeOutcome => {
    emit({ event: 'failed', job: request.jobId, ...failure });
    return { status: 'failed', failure };
  };

  const manifests = await readManifests(storage, outputPrefix);
  // A below-360p source answers "360p" with its own-size rendition ("240p"), which records
  // the name it was asked for.
  const missing = (request.expectedRenditions ?? []).filter(
    (name) => !manifests.some((m) => m.name === name || m.requestedName === name),
  );
  if (missing.length > 0) {
    return failed({
      kind: 'transient',
      code: 'missing-renditions',
      message: `renditions not uploaded yet: ${missing.join(', ')}`,
    });
  }
  if (manifests.length === 0) {
    return failed({
      kind: 'transient',
      code: 'missing-renditions',
      message: `no rendition manifests under ${outputPrefix}`,
    });
  }

  const probed = await probeSource(request.source, probeDepsOf(settings), request.signal);
  if (!probed.ok) return failed(probed.reason);

  const workDir = await mkdtemp(path.join(deps.workRoot, `videoforge-${request.jobId}-final-`));
  try {
    const tracks = await readTracks(storage, outputPrefix);
    if (!tracks && probed.metadata.audio) {
      return failed({
        kind: 'transient',
        code: 'missing-tracks',
        message: `the audio tracks are not uploaded yet (${TRACKS_MANIFEST})`,
      });
    }
    // The stills and the remuxes read different files and each keep about one core busy.
    const [made, muxed] = await Promise.all([
      makeThumbnails(
        { storage, outputPrefix, manifests, workDir, signal: request.signal },
        settings,
      ),
      tracks
        ? muxProgressiveDownloads(
            { storage, outputPrefix, manifests, tracks, workDir, signal: request.signal },
            { ffmpegPath: settings.ffmpegPath, timeoutMs: settings.timeoutMs },
          )
        : ({ ok: true } as const),
    ]);
    if (!made.ok) return failed(made.failure);
    if (!muxed.ok)
      return failed(
        muxed.cancelled
          ? { kind: 'cancelled', code: 'cancelled', message: muxed.message }
          : { kind: 'transient', code: 'mux-failed', message: muxed.message },
      );
    await writeFile(
      path.join(workDir, FINAL_FILES.master),
      renderMasterPlaylist(manifests, tracks ?? undefined),
    );
    const files = [FINAL_FILES.poster, FINAL_FILES.sprite, FINAL_FILES.thumbnails].map((name) => ({
      name,
      path: path.join(workDir, name),
    }));
    await uploadFiles(storage, outputPrefix, files, request.signal);
    await uploadFiles(
      storage,
      outputPrefix,
      [{ name: FINAL_FILES.master, path: path.join(workDir, FINAL_FILES.master) }],
      request.signal,
    );
  } catch (error) {
    return failed(stepFailure(error, request.signal));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const keys = {
    masterKey: `${outputPrefix}${FINAL_FILES.master}`,
    posterKey: `${outputPrefix}${FINAL_FILES.poster}`,
    spriteKey: `${outputPrefix}${FINAL_FILES.sprite}`,
    thumbnailsKey: `${outputPrefix}${FINAL_FILES.thumbnails}`,
    renditions: manifests.map((m) => m.name),
  };
  emit({ event: 'finalized', job: request.jobId, ...keys });
  return { status: 'succeeded', ...keys };
}

type ThumbnailOutcome = { ok: true } | { ok: false; failure: TranscodeFailure };

interface ThumbnailInputs {
  storage: StoragePort;
  outputPrefix: string;
  manifests: readonly RenditionManifest[];
  workDir: string;
  signal: AbortSignal | undefined;
}

async function makeThumbnails(
  inputs: ThumbnailInputs,
  settings: TranscoderSettings,
): Promise<ThumbnailOutcome> {
  const { storage, outputPrefix, workDir, signal } = inputs;
  const chosen = thumbnailRenditions(inputs.manifests);
  if (!chosen)
    return {
      ok: false,
      failure: {
        kind: 'bad-input',
        code: 'no-output',
        message: 'no SDR rendition to take the poster and thumbnails from',
      },
    };
  const stillSources = new Map<
    string,
    { source: SourceInput; metadata: MediaMetadata; video: VideoTreatment }
  >();
  for (const manifest of new Set([chosen.poster, chosen.sprite])) {
    const file = path.join(workDir, 'stills', manifest.name, manifest.mp4);
    await mkdir(path.dirname(file), { recursive: true });
    await pipeline(
      await storage.get(`${renditionPrefix(outputPrefix, manifest.name)}${manifest.mp4}`),
      createWriteStream(file),
    );
    const source: SourceInput = { kind: 'file', path: file, protocols: ['file'] };
    const probed = await probeSource(source, probeDepsOf(settings), signal);
    if (!probed.ok) return { ok: false, failure: probed.reason };
    const plan = await planForSource(source, probed.metadata, defaultTemplates(), settings, signal);
    stillSources.set(manifest.name, { source, metadata: probed.metadata, video: plan.video });
  }
  const posterFrom = stillSources.get(chosen.poster.name)!;
  const spriteFrom = stillSources.get(chosen.sprite.name)!;
  const poster = path.join(workDir, FINAL_FILES.poster);
  const sprite = path.join(workDir, FINAL_FILES.sprite);
  await mkdir(path.dirname(sprite), { recursive: true });
  const spritePlan = planSprite(spriteFrom.metadata);
  const posterPlan = planPoster(posterFrom.metadata, POSTER_LONG_SIDE);
  const { source: posterSource, metadata: posterMetadata, video: posterVideo } = posterFrom;
  const steps: Array<{ what: string; target: string; commands: FfmpegCommand[] }> = [
    {
      what: 'poster',
      target: poster,
      // Second try from the first frame: a seek that lands past the last keyframe, or a
      // window longer than what is left, decodes nothing.
      commands: [
        buildPosterCommand(posterSource, posterMetadata, posterVideo, posterPlan, poster),
        buildPosterCommand(
          posterSource,
          posterMetadata,
          posterVideo,
          { ...posterPlan, seekSeconds: 0, seek: 'output', windowFrames: 1 },
          poster,
        ),
      ],
    },
    {
      what: 'sprite',
      target: sprite,
      commands: [
        buildSpriteCommand(
          spriteFrom.source,
          spriteFrom.metadata,
          spriteFrom.video,
          spritePlan,
          sprite,
        ),
      ],
    },
  ];
  for (const step of steps) {
    let made = false;
    for (const command of step.commands) {
      const run = await runFfmpeg(command, {
        ffmpegPath: settings.ffmpegPath,
        durationSeconds: spriteFrom.metadata.durationSeconds,
        timeoutMs: settings.timeoutMs,
        signal,
        partialOutputs: [step.target],
      });
      if (!run.ok) return { ok: false, failure: failureFromRun(run, `${step.what}: `) };
      if (await nonEmptyFile(step.target)) {
        made = true;
        break;
      }
    }
    if (!made) {
      return {
        ok: false,
        failure: {
          kind: 'bad-input',
          code: 'no-output',
          message: `${step.what}: ffmpeg finished but decoded no video frame from the source`,
        },
      };
    }
  }
  const vtt = renderThumbnailsVtt(
    spritePlan,
    spriteFrom.metadata.durationSeconds,
    path.basename(FINAL_FILES.sprite),
  );
  await writeFile(path.join(workDir, FINAL_FILES.thumbnails), vtt);
  return { ok: true };
}

async function nonEmptyFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/** Every `{outputPrefix}{name}/rendition.json`, parsed; unreadable ones are skipped. */
export async function readManifests(
  storage: StoragePort,
  outputPrefix: string,
): Promise<RenditionManifest[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.list(outputPrefix, cursor ? { cursor } : {});
    for (const object of page.objects) {
      const rest = object.key.slice(outputPrefix.length);
      if (/^[^/]+\/rendition\.json$/.test(rest) && rest.endsWith(RENDITION_FILES.manifest))
        keys.push(object.key);
    }
    cursor = page.nextCursor;
  } while (cursor);

  const manifests: RenditionManifest[] = [];
  for (const key of keys) {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.get(key))
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    const parsed = RenditionManifest.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
    if (parsed.success) manifests.push(parsed.data);
  }
  return manifests;
}

/** `{outputPrefix}tracks/tracks.json`, or undefined when the tracks step left none. */
export async function readTracks(
  storage: StoragePort,
  outputPrefix: string,
): Promise<TracksManifest | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await storage.get(`${outputPrefix}${TRACKS_MANIFEST}`))
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
  const parsed = TracksManifest.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
  return parsed.success ? parsed.data : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
