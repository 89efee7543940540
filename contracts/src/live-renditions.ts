import { z } from 'zod';
import { RenditionManifest } from './renditions.ts';

/**
 * What a rendition that is still encoding publishes as `{outputPrefix}{name}/live.json`
 * once its init segment and first segments are in storage: enough for a master playlist
 * line. BANDWIDTH is nominal (the rendition's VBV cap) until rendition.json measures it.
 */
export const LiveRenditionManifest = RenditionManifest.pick({
  version: true,
  name: true,
  width: true,
  height: true,
  frameRate: true,
  codecs: true,
  bandwidth: true,
  averageBandwidth: true,
  playlist: true,
  videoRange: true,
  requestedName: true,
}).extend({
  /** When the first segments went up (ISO 8601): the rendition's playable moment. */
  publishedAt: z.string().datetime(),
});
export type LiveRenditionManifest = z.infer<typeof LiveRenditionManifest>;
