import { z } from 'zod';
import { DynamicRange, VideoProcessing } from './video-processing.ts';

/**
 * Rendition names are the output's short side in pixels plus "p" ("1080p" is 1920×1080
 * landscape and 1080×1920 portrait). They become storage path segments, so the pattern
 * is strict.
 */
export const RenditionName = z.string().regex(/^[1-9][0-9]{0,3}p$/, 'must look like 720p');
export type RenditionName = z.infer<typeof RenditionName>;

/**
 * A variant's name in storage and playlists: a rendition name (H.264), its HDR twin
 * ("720p-hdr": HEVC Main10 with the source's PQ/HLG signalling, made on request), or
 * its twin in another codec family ("720p-hevc", "720p-av1"; codec-families.ts).
 */
export const VariantName = z
  .string()
  .regex(
    /^[1-9][0-9]{0,3}p(-hdr|-hevc|-av1)?$/,
    'must look like 720p, 720p-hdr, 720p-hevc or 720p-av1',
  );
export type VariantName = z.infer<typeof VariantName>;

/** Whether a variant is a twin ("720p-hdr", "720p-av1") rather than the H.264 rendition itself. */
export function isTwinVariant(name: string): boolean {
  return /-(hdr|hevc|av1)$/.test(name);
}

/** Bit rates as the TranscodeJob spec writes them: kilobits per second with a k suffix. */
export const BitrateString = z.string().regex(/^[1-9][0-9]{0,5}k$/, 'must look like 4000k');
export type BitrateString = z.infer<typeof BitrateString>;

/** One rendition as a TranscodeJob's spec.renditions lists it. */
export const RenditionSpec = z.object({
  name: RenditionName,
  /** The short side of the output in pixels; the long side follows the source's aspect ratio. */
  height: z.number().int().min(2).max(8192),
  /** The target under ABR, the cap (maxrate; bufsize 2×) under capped CRF: the transcoder's TRANSCODE_RATE_CONTROL. */
  videoBitrate: BitrateString,
  /** Its AAC bit rate, when it differs from the ladder's. */
  audioBitrate: BitrateString.optional(),
});
export type RenditionSpec = z.infer<typeof RenditionSpec>;

/**
 * The original formats plus 360p as the floor, highest first. Which of these a given
 * source gets (never upscaled, capped by the source's bit rate) is the transcoder's
 * decision after probing.
 */
export const DEFAULT_LADDER: readonly RenditionSpec[] = [
  { name: '2160p', height: 2160, videoBitrate: '8000k' },
  { name: '1080p', height: 1080, videoBitrate: '4000k' },
  { name: '720p', height: 720, videoBitrate: '2000k' },
  { name: '480p', height: 480, videoBitrate: '1000k' },
  { name: '360p', height: 360, videoBitrate: '600k' },
];

export const FrameRate = z.object({
  num: z.number().int().positive(),
  den: z.number().int().positive(),
});
export type FrameRate = z.infer<typeof FrameRate>;

/**
 * What a finished rendition left in storage, written last as
 * `{outputPrefix}{name}/rendition.json`. Finalize builds the master playlist from these,
 * and the controller reads outputKey/bytes for TranscodeJob status.
 */
export const RenditionManifest = z.object({
  version: z.literal(1),
  name: VariantName,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frameRate: FrameRate,
  /** RFC 6381 codec strings, e.g. "avc1.64001f,mp4a.40.2". */
  codecs: z.string().min(1),
  hasAudio: z.boolean(),
  /** The rendition's video bit rate as planned (capped by the source's), kbit/s: ABR's target, capped CRF's cap. */
  videoBitrateKbps: z.number().int().positive(),
  /** Peak segment bit rate in bit/s, measured from the segments (VBR under capped CRF), as HLS BANDWIDTH wants it. */
  bandwidth: z.number().int().positive(),
  /** Mean bit rate over all segments in bit/s (HLS AVERAGE-BANDWIDTH). */
  averageBandwidth: z.number().int().positive(),
  durationSeconds: z.number().positive(),
  /** Keys relative to the rendition's directory. */
  playlist: z.string().min(1),
  mp4: z.string().min(1),
  segmentCount: z.number().int().positive(),
  /** Sum of every object this rendition uploaded, manifest excluded. */
  bytes: z.number().int().nonnegative(),
  /** The master playlist's VIDEO-RANGE; absent means SDR. */
  videoRange: DynamicRange.optional(),
  /** The rendition name the TranscodeJob asked for, when the source made it another (360p → 240p). */
  requestedName: RenditionName.optional(),
  /** What was done to the picture (tone mapping, deinterlacing, start offset). */
  processing: VideoProcessing.optional(),
});
export type RenditionManifest = z.infer<typeof RenditionManifest>;
