import { z } from 'zod';

/**
 * The dynamic range a source's transfer function says: SDR (BT.709/BT.601 gamma and
 * anything unstated), PQ (SMPTE ST 2084, HDR10 and Dolby Vision with an HDR10 base
 * layer) or HLG (ARIB STD-B67, phones' other HDR mode).
 */
export const DynamicRange = z.enum(['SDR', 'PQ', 'HLG']);
export type DynamicRange = z.infer<typeof DynamicRange>;

/**
 * What the transcoder did to a source's picture, reported in rendition manifests, the
 * TranscodeJob status and the API's job and video responses, so users can see why an
 * HDR phone clip or a broadcast recording looks the way it does.
 */
export const VideoProcessing = z.object({
  /** What the source is. */
  sourceDynamicRange: DynamicRange,
  /** The SDR renditions were tone-mapped from HDR (PQ/HLG) to BT.709. */
  toneMapped: z.boolean(),
  /** Tone-map curve used (ffmpeg tonemap filter name), when tone-mapped. */
  toneMapCurve: z.string().optional(),
  /** Interlaced source: how it was detected; absent when progressive. */
  interlaceDetectedBy: z.enum(['field-order', 'idet']).optional(),
  /** bwdif output rate: one frame per field (field-rate) or per frame (frame-rate); absent when progressive. */
  deinterlaced: z.enum(['field-rate', 'frame-rate']).optional(),
  /** The source's first timestamp that the outputs were shifted from, seconds. */
  sourceStartSeconds: z.number().optional(),
});
export type VideoProcessing = z.infer<typeof VideoProcessing>;
