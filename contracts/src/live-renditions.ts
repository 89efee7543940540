import { z } from 'zod';
import { FrameRate, RenditionName, VariantName } from './renditions.ts';
import { DynamicRange } from './video-processing.ts';

/**
 * What a rendition that is still encoding publishes as `{outputPrefix}{name}/live.json`
 * once its init segment and first segments are in storage: enough for a master playlist
 * line. BANDWIDTH is nominal (the rendition's VBV cap) until rendition.json measures it.
 */
export const LiveRenditionManifest = z.object({
  version: z.literal(1),
  name: VariantName,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  frameRate: FrameRate,
  codecs: z.string().min(1),
  bandwidth: z.number().int().positive(),
  averageBandwidth: z.number().int().positive(),
  playlist: z.string().min(1),
  videoRange: DynamicRange.optional(),
  requestedName: RenditionName.optional(),
  /** When the first segments went up (ISO 8601): the rendition's playable moment. */
  publishedAt: z.string().datetime(),
});
export type LiveRenditionManifest = z.infer<typeof LiveRenditionManifest>;
