import HLS from 'hls-parser';
import {
  OUTPUT_FILES,
  RenditionManifest,
  SUBTITLE_FULL_VTT,
  TRACKS_DIR,
  VariantName,
  type SubtitleTrackManifest,
  type TracksManifest,
} from '@videoforge/contracts';
import type { StoragePort } from '@videoforge/platform/storage';
import type { DashPresentation, DashSegmentList, DashTextTrack } from './dash-manifest.ts';
import { resolveInside } from './playlist-rewrite.ts';

export interface DashSources {
  storage: StoragePort;
  /** An object's text; a missing one is the caller's "not ready" error. */
  read: (key: string) => Promise<string>;
  /** Lifetime of every signed URL, as the HLS variant playlists' segments get. */
  ttlSeconds: number;
}

/** The variant names a master playlist lists (`720p/index.m3u8` → 720p), in its order. */
export function masterVariantNames(master: string): string[] {
  const parsed = HLS.parse(master);
  if (!(parsed instanceof HLS.types.MasterPlaylist)) return [];
  const names = parsed.variants.map((variant) => variant.uri.split('/')[0] ?? '');
  return [...new Set(names)].filter((name) => VariantName.safeParse(name).success);
}

/**
 * A media playlist's init segment and segments as signed storage URLs with their
 * EXTINF durations; undefined when it is not a finished fMP4 playlist whose every URI
 * stays inside its folder (the MPD then leaves the representation out rather than
 * list a gap).
 */
export async function signedSegmentList(
  { storage, read, ttlSeconds }: DashSources,
  directory: string,
): Promise<DashSegmentList | undefined> {
  const parsed = HLS.parse(await read(`${directory}${OUTPUT_FILES.renditionPlaylist}`));
  if (!(parsed instanceof HLS.types.MediaPlaylist) || !parsed.endlist) return undefined;
  const init = parsed.segments[0]?.map?.uri;
  const initKey = init === undefined ? undefined : resolveInside(directory, init);
  const keys = parsed.segments.map((segment) => resolveInside(directory, segment.uri));
  if (!initKey || keys.length === 0 || keys.some((key) => key === undefined)) return undefined;
  const sign = (key: string) => storage.presignGet(key, { expiresInSeconds: ttlSeconds });
  const [initialization, ...urls] = await Promise.all([initKey, ...(keys as string[])].map(sign));
  return {
    initialization: initialization!,
    segments: parsed.segments.map((segment, i) => ({
      url: urls[i]!,
      durationSeconds: segment.duration,
    })),
  };
}

/**
 * What the MPD lists for a job's outputs: each variant from its rendition manifest and
 * playlist, each audio track, and each text subtitle (the job's and the video's sidecar
 * captions) whose whole WebVTT file is in storage.
 */
export async function dashPresentation(
  sources: DashSources,
  {
    prefix,
    variants,
    tracks,
    sidecars,
  }: {
    prefix: string;
    variants: readonly string[];
    tracks: TracksManifest | undefined;
    /** Sidecar captions with the folder their files are in. */
    sidecars: readonly { track: SubtitleTrackManifest; directory: string; file: string }[];
  },
): Promise<DashPresentation> {
  const video = await Promise.all(
    variants.map(async (name) => {
      const directory = `${prefix}${name}/`;
      const manifest = RenditionManifest.parse(
        JSON.parse(await sources.read(`${directory}${OUTPUT_FILES.renditionManifest}`)),
      );
      const segmentList = await signedSegmentList(sources, directory);
      return segmentList && { ...manifest, segmentList };
    }),
  );
  const audio = await Promise.all(
    (tracks?.audio ?? []).map(async (track) => {
      const segmentList = await signedSegmentList(sources, `${prefix}${TRACKS_DIR}${track.id}/`);
      return segmentList && { track, segmentList };
    }),
  );
  const subtitles = [
    ...(tracks?.subtitles ?? []).map((track) => ({
      track,
      directory: `${prefix}${TRACKS_DIR}${track.id}/`,
      file: SUBTITLE_FULL_VTT,
    })),
    ...sidecars,
  ];
  const text = await Promise.all(
    subtitles.map(async ({ track, directory, file }): Promise<DashTextTrack | undefined> => {
      const key = `${directory}${file}`;
      // Outputs written before the whole file was kept have only the HLS segments.
      if (!(await sources.storage.head(key))) return undefined;
      return {
        id: track.id,
        ...(track.language ? { language: track.language } : {}),
        label: track.name,
        forced: track.forced,
        url: await sources.storage.presignGet(key, { expiresInSeconds: sources.ttlSeconds }),
      };
    }),
  );
  return {
    video: video.flatMap((v) =>
      v
        ? [
            {
              id: v.name,
              // Older renditions muxed AAC into the video segments: their codecs say so.
              codecs: v.codecs,
              width: v.width,
              height: v.height,
              frameRate: v.frameRate,
              bandwidth: v.bandwidth,
              ...(v.videoRange ? { videoRange: v.videoRange } : {}),
              segmentList: v.segmentList,
            },
          ]
        : [],
    ),
    audio: audio.flatMap((a) =>
      a
        ? [
            {
              id: a.track.id,
              codecs: a.track.codecs,
              bandwidth: a.track.bandwidth,
              channels: a.track.channels,
              ...(a.track.language ? { language: a.track.language } : {}),
              label: a.track.name,
              main: a.track.default,
              segmentList: a.segmentList,
            },
          ]
        : [],
    ),
    text: text.filter((t) => t !== undefined),
  };
}
