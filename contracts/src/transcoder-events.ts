import { z } from 'zod';
import { MediaMetadata } from './media-probe.ts';
import { RenditionName, VariantName } from './renditions.ts';
import { RenditionQuality } from './rendition-quality.ts';
import { VideoProcessing } from './video-processing.ts';

/**
 * What `videoforge-transcode` prints on stdout, one JSON object per line (its logs go
 * to stderr). The local runtime reads these from the child's stdout; in cluster mode
 * they are the pod's log lines.
 */
export const FailureKind = z.enum(['bad-input', 'transient', 'cancelled']);
export type FailureKind = z.infer<typeof FailureKind>;

const base = { job: z.string() };

export const TranscoderEvent = z.discriminatedUnion('event', [
  z.object({ ...base, event: z.literal('probed'), metadata: MediaMetadata }),
  z.object({
    ...base,
    event: z.literal('progress'),
    renditions: z.array(RenditionName),
    percent: z.number().min(0).max(100),
  }),
  z.object({
    ...base,
    event: z.literal('rendition-uploaded'),
    rendition: VariantName,
    /** Key of the rendition's media playlist. */
    outputKey: z.string(),
    bytes: z.number().int().nonnegative(),
    /** What was done to the picture; the controller copies it into the TranscodeJob status. */
    processing: VideoProcessing.optional(),
  }),
  z.object({
    ...base,
    /** After `rendition-uploaded`: the rendition's measured SSIM/PSNR (TRANSCODE_QUALITY_METRICS). */
    event: z.literal('rendition-quality'),
    /** The rendition's name in the TranscodeJob spec (a below-360p source's "240p" answers "360p"). */
    rendition: RenditionName,
    /**
     * Which variant was measured: the rendition itself (as stored, "240p" for an asked
     * "360p") or one of its twins ("720p-av1", "720p-hdr"); absent: the rendition itself.
     */
    variant: VariantName.optional(),
    quality: RenditionQuality,
  }),
  z.object({
    ...base,
    /**
     * A running rendition's init segment, first segments and EVENT playlist are in storage
     * (and its live.json): players can start. Once per rendition per attempt; the earliest
     * one is when the job became playable.
     */
    event: z.literal('rendition-live'),
    rendition: VariantName,
    publishedAt: z.iso.datetime(),
  }),
  z.object({
    ...base,
    event: z.literal('rendition-skipped'),
    rendition: RenditionName,
    reason: z.string(),
  }),
  z.object({
    ...base,
    event: z.literal('finalized'),
    masterKey: z.string(),
    posterKey: z.string(),
    spriteKey: z.string(),
    thumbnailsKey: z.string(),
    renditions: z.array(VariantName),
  }),
  z.object({
    ...base,
    event: z.literal('failed'),
    kind: FailureKind,
    code: z.string(),
    message: z.string(),
  }),
]);
export type TranscoderEvent = z.infer<typeof TranscoderEvent>;
