import type { MediaMetadata, VideoProcessing } from '@videoforge/contracts';
import type { LadderPlan } from './ladder.ts';

/** The user-facing account of what the plan does to the picture (manifests, status, API). */
export function videoProcessingOf(metadata: MediaMetadata, plan: LadderPlan): VideoProcessing {
  const { colour, deinterlace } = plan.video;
  const start = metadata.startTimeSeconds ?? 0;
  return {
    sourceDynamicRange: metadata.video.dynamicRange ?? 'SDR',
    toneMapped: colour.kind === 'tone-map',
    ...(colour.kind === 'tone-map' ? { toneMapCurve: colour.curve } : {}),
    ...(deinterlace
      ? { interlaceDetectedBy: deinterlace.detectedBy, deinterlaced: deinterlace.rate }
      : {}),
    ...(start !== 0 ? { sourceStartSeconds: Math.round(start * 1000) / 1000 } : {}),
  };
}
