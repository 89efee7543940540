import { z } from 'zod';
import { FrameRate } from './renditions.ts';
import { DynamicRange } from './video-processing.ts';

/** ffprobe's field_order: progressive, tt/bb (top/bottom field first), tb/bt (swapped coding order). */
export const FieldOrder = z.enum(['progressive', 'tt', 'bb', 'tb', 'bt', 'unknown']);
export type FieldOrder = z.infer<typeof FieldOrder>;

/** Colour properties as the stream states them (ffprobe's names); absent when unstated. */
export const ColourInfo = z.object({
  primaries: z.string().optional(),
  transfer: z.string().optional(),
  matrix: z.string().optional(),
  range: z.string().optional(),
});
export type ColourInfo = z.infer<typeof ColourInfo>;

/** A Dolby Vision stream's configuration record: its profile and which base layer it is compatible with. */
export const DolbyVisionInfo = z.object({
  profile: z.number().int().nonnegative(),
  /** 0 none (profile 5: not decodable without a DV decoder), 1 HDR10, 2 SDR, 4 HLG. */
  compatibilityId: z.number().int().nonnegative(),
});
export type DolbyVisionInfo = z.infer<typeof DolbyVisionInfo>;

/** A source video as the transcoder's probe describes it (after ffprobe, before any decision). */
export const VideoStreamInfo = z.object({
  /** ffprobe stream index, used to map exactly this stream. */
  index: z.number().int().nonnegative(),
  codec: z.string(),
  profile: z.string().optional(),
  pixelFormat: z.string().optional(),
  bitDepth: z.number().int().positive().optional(),
  codedWidth: z.number().int().positive(),
  codedHeight: z.number().int().positive(),
  sampleAspectRatio: z.object({
    num: z.number().int().positive(),
    den: z.number().int().positive(),
  }),
  /** Clockwise display rotation in degrees from the display matrix. */
  rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
  /** What a player shows: sample aspect ratio applied, then rotation. */
  displayWidth: z.number().int().positive(),
  displayHeight: z.number().int().positive(),
  frameRate: FrameRate,
  averageFrameRate: FrameRate.optional(),
  variableFrameRate: z.boolean(),
  bitRateKbps: z.number().int().positive().optional(),
  /** The stream's own declared duration, when the container states one. */
  durationSeconds: z.number().positive().optional(),
  colour: ColourInfo.optional(),
  /** Absent means SDR (older probes did not record it). */
  dynamicRange: DynamicRange.optional(),
  dolbyVision: DolbyVisionInfo.optional(),
  /** Absent when the container does not say (then the transcoder runs a short idet pass). */
  fieldOrder: FieldOrder.optional(),
  /** The stream's first timestamp in seconds (MPEG-TS and AVCHD start at 1–2 s, not 0). */
  startTimeSeconds: z.number().optional(),
});
export type VideoStreamInfo = z.infer<typeof VideoStreamInfo>;

export const AudioStreamInfo = z.object({
  index: z.number().int().nonnegative(),
  codec: z.string(),
  channels: z.number().int().positive(),
  channelLayout: z.string().optional(),
  sampleRate: z.number().int().positive().optional(),
  bitRateKbps: z.number().int().positive().optional(),
  /** The stream's language tag as the container states it (ISO 639-2 or BCP 47), `und` dropped. */
  language: z.string().max(64).optional(),
  title: z.string().max(256).optional(),
  /** The container's `default` disposition: the track a player picks first. */
  isDefault: z.boolean().optional(),
  /** The stream's first timestamp in seconds (ffprobe start_time), to see a late-starting track. */
  startSeconds: z.number().optional(),
});
export type AudioStreamInfo = z.infer<typeof AudioStreamInfo>;

/** An embedded subtitle stream; only text codecs can become WebVTT. */
export const SubtitleStreamInfo = z.object({
  index: z.number().int().nonnegative(),
  codec: z.string(),
  language: z.string().max(64).optional(),
  title: z.string().max(256).optional(),
  isDefault: z.boolean().optional(),
  forced: z.boolean().optional(),
});
export type SubtitleStreamInfo = z.infer<typeof SubtitleStreamInfo>;

export const MediaMetadata = z.object({
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: z.string(),
  durationSeconds: z.number().positive(),
  /** The container's first timestamp (format start_time); absent means 0. */
  startTimeSeconds: z.number().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  bitRateKbps: z.number().int().positive().optional(),
  video: VideoStreamInfo,
  /** The main mix: the `default`-disposition audio track, else the first. */
  audio: AudioStreamInfo.nullable(),
  /** Every audio track in stream order (the main mix among them). */
  audioTracks: z.array(AudioStreamInfo).optional(),
  subtitles: z.array(SubtitleStreamInfo).optional(),
});
export type MediaMetadata = z.infer<typeof MediaMetadata>;

/** Why a source is refused; never retried. */
export const ProbeRefusalCode = z.enum([
  'unreadable',
  'truncated',
  'format-not-allowed',
  'still-image',
  'no-video-stream',
  'zero-duration',
  'too-short',
  'unknown-frame-rate',
  'dimensions-too-large',
  'dimensions-too-small',
  'uhd-too-long',
  'source-not-found',
  'source-not-allowed',
]);
export type ProbeRefusalCode = z.infer<typeof ProbeRefusalCode>;
