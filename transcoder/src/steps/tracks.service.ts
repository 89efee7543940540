import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  TRACKS_DIR,
  TRACKS_MANIFEST,
  liveTracksManifestKey,
  type AudioTrackManifest,
  type MediaMetadata,
  type SkippedTrack,
  type SubtitleTrackManifest,
  type TracksManifest,
} from '@videoforge/contracts';
import {
  CaptionParseError,
  parseCaptions,
  segmentWebVtt,
  type SourceInput,
} from '@videoforge/platform/media';
import type { StoragePort } from '@videoforge/platform/storage';
import { planAudioTracks, DEFAULT_STEREO_KBPS } from '../plan/audio-tracks.ts';
import { runFfmpeg } from '../ffmpeg/ffmpeg.runner.ts';
import { AAC_LC_CODEC, parseMediaPlaylist, segmentBandwidth } from '../output/hls-playlist.ts';
import { planSubtitles } from '../plan/subtitles.ts';
import {
  buildTracksCommand,
  TRACK_FILES,
  trackDir,
  type TracksPlan,
} from '../ffmpeg/tracks-command.builder.ts';
import { uploadFiles, type LocalFile } from '../output/upload.service.ts';
import { finishPlaylists, startLiveEncode, type LiveTarget } from './live-outputs.service.ts';

/** Which tracks a source gets: every audio track, every text subtitle; the rest skipped with why. */
export function planTracks(
  metadata: MediaMetadata,
  stereoBitrateKbps = DEFAULT_STEREO_KBPS,
): TracksPlan {
  const { subtitles, skipped } = planSubtitles(metadata);
  return { audio: planAudioTracks(metadata, { stereoBitrateKbps }), subtitles, skipped };
}

export function hasTrackOutputs(plan: TracksPlan): boolean {
  return plan.audio.length > 0 || plan.subtitles.length > 0;
}

/** The checked local outputs of the tracks, ready to upload under `{outputPrefix}tracks/`. */
export interface EncodedTracks {
  manifest: TracksManifest;
  /** Relative to `tracks/`, e.g. `a0/segment-00000.m4s`; tracks.json excluded. */
  files: LocalFile[];
  manifestPath: string;
  /** Files already in storage (relative to `tracks/`), uploaded while ffmpeg ran. */
  published?: ReadonlySet<string> | undefined;
}

export type DescribeTracksOutcome =
  | { ok: true; tracks: EncodedTracks }
  | { ok: false; failure: { kind: 'transient'; code: string; message: string } };

/**
 * Reads back what ffmpeg wrote for the tracks: each audio playlist must be complete
 * (its segments size its BANDWIDTH); each subtitle's WebVTT is parsed and cut into HLS
 * segments. A subtitle stream without a single cue is reported as skipped.
 */
export async function describeTracks(
  plan: TracksPlan,
  tracksDir: string,
  metadata: MediaMetadata,
  segmentSeconds: number,
): Promise<DescribeTracksOutcome> {
  const audio: AudioTrackManifest[] = [];
  const subtitles: SubtitleTrackManifest[] = [];
  const skipped: SkippedTrack[] = [...plan.skipped];
  for (const track of plan.audio) {
    const dir = trackDir(tracksDir, track.id);
    const playlist = parseMediaPlaylist(
      await readFile(path.join(dir, TRACK_FILES.playlist), 'utf8'),
    );
    if (!playlist.ended || playlist.segments.length === 0) {
      return {
        ok: false,
        failure: {
          kind: 'transient',
          code: 'output-invalid',
          message: `audio track ${track.id}: the media playlist is incomplete`,
        },
      };
    }
    const sized = await Promise.all(
      playlist.segments.map(async (segment) => ({
        durationSeconds: segment.durationSeconds,
        bytes: (await stat(path.join(dir, segment.uri))).size,
      })),
    );
    const { peak, average } = segmentBandwidth(sized, playlist.targetDuration);
    audio.push({
      id: track.id,
      sourceIndex: track.source.index,
      sourceCodec: track.source.codec,
      sourceChannels: track.source.channels,
      ...(track.language ? { language: track.language } : {}),
      name: track.name,
      default: track.default,
      channels: track.channels,
      downmix: track.downmix,
      codecs: AAC_LC_CODEC,
      bitrateKbps: track.bitrateKbps,
      bandwidth: peak,
      averageBandwidth: average,
      playlist: `${TRACKS_DIR}${track.id}/${TRACK_FILES.playlist}`,
      durationSeconds: sized.reduce((sum, s) => sum + s.durationSeconds, 0),
      bytes: sized.reduce((sum, s) => sum + s.bytes, 0),
    });
  }
  for (const track of plan.subtitles) {
    const dir = trackDir(tracksDir, track.id);
    const vtt = await readFile(path.join(dir, TRACK_FILES.fullVtt), 'utf8');
    let cues;
    try {
      cues = parseCaptions(vtt);
    } catch (error) {
      if (!(error instanceof CaptionParseError)) throw error;
      skipped.push({
        kind: 'subtitle',
        sourceIndex: track.source.index,
        codec: track.source.codec,
        ...(track.language ? { language: track.language } : {}),
        reason: `the subtitle track has no usable cues (${error.message})`,
      });
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    const segmented = segmentWebVtt(cues, {
      segmentSeconds,
      durationSeconds: metadata.durationSeconds,
    });
    await writeFile(path.join(dir, TRACK_FILES.playlist), segmented.playlist);
    for (const segment of segmented.segments)
      await writeFile(path.join(dir, segment.name), segment.content);
    subtitles.push({
      id: track.id,
      sourceIndex: track.source.index,
      sourceCodec: track.source.codec,
      ...(track.language ? { language: track.language } : {}),
      name: track.name,
      default: track.default,
      forced: track.forced,
      playlist: `${TRACKS_DIR}${track.id}/${TRACK_FILES.playlist}`,
      cueCount: cues.length,
    });
  }
  const main = plan.audio.find((track) => track.default);
  const manifest: TracksManifest = {
    version: 1,
    audio,
    subtitles,
    skipped,
    ...(main ? { mainAudioFile: `${TRACKS_DIR}${main.id}/${TRACK_FILES.mainAudio}` } : {}),
  };
  const files: LocalFile[] = [];
  for (const id of [...audio.map((a) => a.id), ...subtitles.map((s) => s.id)]) {
    for (const name of await readdir(trackDir(tracksDir, id)))
      files.push({ name: `${id}/${name}`, path: path.join(trackDir(tracksDir, id), name) });
  }
  const manifestPath = path.join(tracksDir, path.basename(TRACKS_MANIFEST));
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { ok: true, tracks: { manifest, files, manifestPath } };
}

/**
 * Uploads the tracks under `{outputPrefix}tracks/`, tracks.json last: once it exists,
 * every playlist it names is there. A retry starts from an empty prefix.
 */
export async function uploadTracks(
  storage: StoragePort,
  outputPrefix: string,
  tracks: EncodedTracks,
  signal?: AbortSignal,
): Promise<void> {
  const prefix = `${outputPrefix}${TRACKS_DIR}`;
  const published = tracks.published ?? new Set<string>();
  // A live encode emptied the prefix before ffmpeg started and sent the segments since.
  if (published.size === 0) await storage.deletePrefix(prefix);
  await uploadFiles(
    storage,
    prefix,
    tracks.files.filter((file) => !published.has(file.name)),
    signal,
  );
  await uploadFiles(
    storage,
    prefix,
    [{ name: path.basename(TRACKS_MANIFEST), path: tracks.manifestPath }],
    signal,
  );
  await storage.delete(liveTracksManifestKey(outputPrefix));
}

export async function prepareTrackDirs(plan: TracksPlan, tracksDir: string): Promise<void> {
  await rm(tracksDir, { recursive: true, force: true });
  await mkdir(tracksDir, { recursive: true });
  for (const track of [...plan.audio, ...plan.subtitles])
    await mkdir(trackDir(tracksDir, track.id), { recursive: true });
}

export interface TracksRunSettings {
  ffmpegPath: string;
  timeoutMs: number;
  segmentSeconds: number;
}

export type TracksRunOutcome =
  | { ok: true; tracks: EncodedTracks }
  | {
      ok: false;
      failure: { kind: 'transient' | 'cancelled'; code: string; message: string };
    };

/** The tracks alone, from one ffmpeg that decodes each audio track once. */
export async function runTracks(
  request: {
    source: SourceInput;
    metadata: MediaMetadata;
    plan: TracksPlan;
    tracksDir: string;
    onProgress?: ((percent: number) => void) | undefined;
    signal?: AbortSignal | undefined;
    /** Upload the audio segments as ffmpeg closes them. */
    live?: LiveTarget | undefined;
  },
  settings: TracksRunSettings,
): Promise<TracksRunOutcome> {
  await prepareTrackDirs(request.plan, request.tracksDir);
  let published: ReadonlySet<string> = new Set();
  if (hasTrackOutputs(request.plan)) {
    const live =
      request.live &&
      (await startLiveEncode(
        request.live,
        [],
        undefined,
        { plan: request.plan, dir: request.tracksDir },
        request.signal,
      ));
    const run = await runFfmpeg(
      buildTracksCommand(request.source, request.plan, request.tracksDir, settings.segmentSeconds),
      {
        ffmpegPath: settings.ffmpegPath,
        durationSeconds: request.metadata.durationSeconds,
        timeoutMs: settings.timeoutMs,
        signal: request.signal,
        onProgress: request.onProgress,
        partialOutputs: [request.tracksDir],
      },
    ).finally(() => live?.publishing.stop());
    published = live?.publishedTracks() ?? published;
    if (!run.ok) {
      await Promise.allSettled(
        (live?.prefixes ?? []).map((prefix) =>
          request.live ? request.live.storage.deletePrefix(prefix) : Promise.resolve(0),
        ),
      );
      return {
        ok: false,
        failure:
          run.reason === 'cancelled'
            ? { kind: 'cancelled', code: 'cancelled', message: run.message }
            : {
                kind: 'transient',
                code: run.reason === 'timeout' ? 'timeout' : 'ffmpeg-failed',
                message: `tracks: ${run.message}${run.stderr ? `: ${run.stderr.trim().split('\n').at(-1)}` : ''}`,
              },
      };
    }
  }
  await finishPlaylists(
    request.plan.audio.map((track) =>
      path.join(trackDir(request.tracksDir, track.id), TRACK_FILES.playlist),
    ),
  );
  const described = await describeTracks(
    request.plan,
    request.tracksDir,
    request.metadata,
    settings.segmentSeconds,
  );
  return described.ok ? { ok: true, tracks: { ...described.tracks, published } } : described;
}
