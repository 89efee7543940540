import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  TRACKS_DIR,
  liveManifestKey,
  liveTracksManifestKey,
  renditionPrefix,
  type AudioTrackManifest,
  type LiveRenditionManifest,
  type TracksManifest,
} from '@videoforge/contracts';
import type { StoragePort } from '@videoforge/platform/storage';
import type { RenditionOutput } from '../ffmpeg/ffmpeg-command.builder.ts';
import { TRACK_FILES, trackDir, type TracksPlan } from '../ffmpeg/tracks-command.builder.ts';
import { AAC_LC_CODEC } from '../output/hls-playlist.ts';
import {
  asVodPlaylist,
  publishWhileEncoding,
  type LiveOutput,
  type LivePublishing,
} from '../output/live-publisher.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import type { LadderPlan } from '../plan/ladder.ts';
import { variantCodecString } from './rendition-output.service.ts';

/** Where a running encode publishes its segments: the job's storage and output prefix. */
export interface LiveTarget {
  storage: StoragePort;
  outputPrefix: string;
  /**
   * After a rendition's live.json is up and, when the encode has audio, tracks/live.json
   * too: the master playlist answers, so the job is playable (the `rendition-live` event).
   */
  onRenditionLive?: ((rendition: string, publishedAt: string) => void) | undefined;
}

const JSON_HEADERS = { contentType: 'application/json', cacheControl: 'no-cache' };

/** Live mirroring of one encode's renditions (and, in the ladder, its audio tracks). */
export interface LiveEncode {
  publishing: LivePublishing;
  /** What was published for a rendition's directory, to skip at the final upload. */
  publishedFor(dir: string): ReadonlySet<string>;
  /** What was published under `tracks/`, as `a0/segment-00000.m4s`. */
  publishedTracks(): ReadonlySet<string>;
  /** Every storage prefix this encode wrote to, for cleanup after a failure. */
  prefixes: readonly string[];
}

/**
 * Starts mirroring an encode's outputs. Each rendition's prefix is emptied first (a retry
 * starts clean); each rendition announces itself with live.json once its first segments are
 * up, and the audio tracks with tracks/live.json once every one of them has segments.
 */
export async function startLiveEncode(
  target: LiveTarget,
  renditions: readonly RenditionOutput[],
  plan: LadderPlan | undefined,
  tracks?: { plan: TracksPlan; dir: string },
  signal?: AbortSignal,
): Promise<LiveEncode> {
  const { storage, outputPrefix } = target;
  const audio = tracks?.plan.audio ?? [];
  // The master playlist answers once a rendition is up and, where this encode has sound,
  // its audio tracks too: only then is the rendition announced as live (playable).
  let audioLive = audio.length === 0;
  const waitingForAudio: string[] = [];
  const announceLive = (rendition: string) => {
    if (!audioLive) waitingForAudio.push(rendition);
    else target.onRenditionLive?.(rendition, new Date().toISOString());
  };
  const renditionOutputs = renditions.map((output): LiveOutput => ({
    dir: output.dir,
    prefix: renditionPrefix(outputPrefix, output.rendition.name),
    playlist: RENDITION_FILES.playlist,
    onFirstSegments: async (init) => {
      const codecs = variantCodecString(output.rendition.name, init);
      if (!codecs || !plan) return;
      const manifest: LiveRenditionManifest = {
        version: 1,
        name: output.rendition.name,
        width: output.rendition.width,
        height: output.rendition.height,
        frameRate: plan.frameRate,
        codecs,
        // Nominal until measured: the VBV cap bounds the peak, the target the mean.
        bandwidth: output.rendition.maxrateKbps * 1000,
        averageBandwidth: output.rendition.videoBitrateKbps * 1000,
        playlist: RENDITION_FILES.playlist,
        videoRange: output.rendition.hdr ?? 'SDR',
        ...(output.rendition.requestedName
          ? { requestedName: output.rendition.requestedName }
          : {}),
        publishedAt: new Date().toISOString(),
      };
      await storage.put(
        liveManifestKey(outputPrefix, output.rendition.name),
        JSON.stringify(manifest),
        JSON_HEADERS,
      );
      announceLive(output.rendition.name);
    },
  }));
  const announced = new Set<string>();
  const trackOutputs = audio.map((track): LiveOutput => ({
    dir: trackDir(tracks?.dir ?? '', track.id),
    prefix: `${outputPrefix}${TRACKS_DIR}${track.id}/`,
    playlist: TRACK_FILES.playlist,
    onFirstSegments: async () => {
      announced.add(track.id);
      if (announced.size < audio.length) return;
      const entries = audio.map((planned): AudioTrackManifest => ({
        id: planned.id,
        sourceIndex: planned.source.index,
        sourceCodec: planned.source.codec,
        sourceChannels: planned.source.channels,
        ...(planned.language ? { language: planned.language } : {}),
        name: planned.name,
        default: planned.default,
        channels: planned.channels,
        downmix: planned.downmix,
        codecs: AAC_LC_CODEC,
        bitrateKbps: planned.bitrateKbps,
        bandwidth: planned.bitrateKbps * 1000,
        averageBandwidth: planned.bitrateKbps * 1000,
        playlist: `${TRACKS_DIR}${planned.id}/${TRACK_FILES.playlist}`,
        durationSeconds: 0,
        bytes: 0,
      }));
      // Subtitles join at the end: ffmpeg writes them whole, they are segmented afterwards.
      const manifest: TracksManifest = { version: 1, audio: entries, subtitles: [], skipped: [] };
      await storage.put(
        liveTracksManifestKey(outputPrefix),
        JSON.stringify(manifest),
        JSON_HEADERS,
      );
      audioLive = true;
      for (const rendition of waitingForAudio.splice(0)) announceLive(rendition);
    },
  }));
  const prefixes = [
    ...renditionOutputs.map((output) => output.prefix),
    ...(tracks ? [`${outputPrefix}${TRACKS_DIR}`] : []),
  ];
  await Promise.all(prefixes.map((prefix) => storage.deletePrefix(prefix)));
  const publishing = publishWhileEncoding(storage, [...renditionOutputs, ...trackOutputs], signal);
  return {
    publishing,
    prefixes,
    publishedFor: (dir) => {
      const output = renditionOutputs.find((candidate) => candidate.dir === dir);
      return output ? publishing.published(output) : new Set();
    },
    publishedTracks: () =>
      new Set(
        trackOutputs.flatMap((output) =>
          [...publishing.published(output)].map((name) => `${path.basename(output.dir)}/${name}`),
        ),
      ),
  };
}

/** Turns the finished EVENT playlists in these directories into VOD ones, in place. */
export async function finishPlaylists(files: readonly string[]): Promise<void> {
  await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) await writeFile(file, asVodPlaylist(text));
    }),
  );
}
