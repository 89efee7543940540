import { z } from 'zod';

/**
 * What the tracks step left in storage, written last as `{outputPrefix}tracks/tracks.json`:
 * one AAC HLS rendition per source audio track (encoded once, shared by every video
 * rendition), one segmented WebVTT rendition per embedded text subtitle, and the tracks that
 * were skipped with why. Finalize and the API build the master playlist's
 * `EXT-X-MEDIA` groups from it; the API and the web page show it.
 */
export const TRACKS_DIR = 'tracks/';
export const TRACKS_MANIFEST = 'tracks/tracks.json';
/**
 * A text subtitle's whole WebVTT file in its track folder, beside the segmented copy
 * HLS plays; DASH players take it as one sidecar file.
 */
export const SUBTITLE_FULL_VTT = 'subtitles.vtt';
export const AUDIO_GROUP_ID = 'audio';
export const SUBTITLE_GROUP_ID = 'subs';

/** Track ids become storage path segments: `a0`, `s1`, `c42` (a sidecar caption). */
export const TrackId = z.string().regex(/^[asc][0-9]{1,9}$/);

export const AudioTrackManifest = z.object({
  id: TrackId,
  /** The source stream index it was encoded from. */
  sourceIndex: z.number().int().nonnegative(),
  sourceCodec: z.string().max(64),
  sourceChannels: z.number().int().positive(),
  language: z.string().max(64).optional(),
  /** The menu label: the stream's title, else its language, else "Track N". */
  name: z.string().min(1).max(256),
  /** The main mix (the default-disposition track, else the first): DEFAULT=YES. */
  default: z.boolean(),
  channels: z.union([z.literal(1), z.literal(2)]),
  /** "downmixed" when 3+ channels were folded to stereo. */
  downmix: z.enum(['none', 'downmixed']),
  codecs: z.string().min(1).max(64),
  bitrateKbps: z.number().int().positive(),
  /** Peak segment bit rate, bit/s: added to each variant's BANDWIDTH. */
  bandwidth: z.number().int().positive(),
  averageBandwidth: z.number().int().positive(),
  /** Relative to the job's output prefix, e.g. `tracks/a0/index.m3u8`. */
  playlist: z.string().min(1).max(256),
  durationSeconds: z.number().nonnegative(),
  bytes: z.number().int().nonnegative(),
});
export type AudioTrackManifest = z.infer<typeof AudioTrackManifest>;

export const SubtitleTrackManifest = z.object({
  id: TrackId,
  /** Absent for a sidecar caption uploaded through the API. */
  sourceIndex: z.number().int().nonnegative().optional(),
  sourceCodec: z.string().max(64),
  language: z.string().max(64).optional(),
  name: z.string().min(1).max(256),
  default: z.boolean(),
  forced: z.boolean(),
  /** Relative to the job's output prefix, e.g. `tracks/s0/index.m3u8`. */
  playlist: z.string().min(1).max(256),
  cueCount: z.number().int().nonnegative(),
});
export type SubtitleTrackManifest = z.infer<typeof SubtitleTrackManifest>;

export const SkippedTrack = z.object({
  kind: z.enum(['audio', 'subtitle']),
  sourceIndex: z.number().int().nonnegative(),
  codec: z.string().max(64),
  language: z.string().max(64).optional(),
  reason: z.string().max(1024),
});
export type SkippedTrack = z.infer<typeof SkippedTrack>;

export const TracksManifest = z.object({
  version: z.literal(1),
  audio: z.array(AudioTrackManifest).max(64),
  subtitles: z.array(SubtitleTrackManifest).max(64),
  skipped: z.array(SkippedTrack).max(128),
  /** The main mix as one AAC file, muxed by stream copy into each progressive MP4. */
  mainAudioFile: z.string().max(256).optional(),
});
export type TracksManifest = z.infer<typeof TracksManifest>;

/** What the API and the job row report: the tracks without storage details. */
export const TracksSummary = z.object({
  audio: z.array(
    AudioTrackManifest.pick({
      id: true,
      language: true,
      name: true,
      default: true,
      channels: true,
      downmix: true,
      sourceChannels: true,
      sourceCodec: true,
    }),
  ),
  subtitles: z.array(
    SubtitleTrackManifest.pick({
      id: true,
      language: true,
      name: true,
      default: true,
      forced: true,
      sourceCodec: true,
    }).extend({ sidecar: z.boolean() }),
  ),
  skipped: z.array(SkippedTrack),
});
export type TracksSummary = z.infer<typeof TracksSummary>;

export function summarizeTracks(
  manifest: TracksManifest,
  sidecars: readonly SubtitleTrackManifest[] = [],
): TracksSummary {
  return {
    audio: manifest.audio.map((a) => ({
      id: a.id,
      ...(a.language ? { language: a.language } : {}),
      name: a.name,
      default: a.default,
      channels: a.channels,
      downmix: a.downmix,
      sourceChannels: a.sourceChannels,
      sourceCodec: a.sourceCodec,
    })),
    subtitles: [
      ...manifest.subtitles.map((s) => ({ ...subtitleSummary(s), sidecar: false })),
      ...sidecars.map((s) => ({ ...subtitleSummary(s), sidecar: true })),
    ],
    skipped: manifest.skipped,
  };
}

function subtitleSummary(s: SubtitleTrackManifest) {
  return {
    id: s.id,
    ...(s.language ? { language: s.language } : {}),
    name: s.name,
    default: s.default,
    forced: s.forced,
    sourceCodec: s.sourceCodec,
  };
}
