import { formatRate } from './output-frame-rate.ts';
import { scalerMatrixOptions, toneMapFilters } from './colour.ts';
import { deinterlaceFilter } from './deinterlace.ts';
import type { LadderPlan, PlannedRendition, VideoTreatment } from './ladder.ts';

/**
 * The filters every rendition shares, in order: deinterlace (bwdif needs the original
 * fields, so it comes first), constant frame rate, then HDR → SDR tone mapping. They
 * run once per decode: before the split in the ladder strategy. Tone mapping at the
 * source's size, before scaling, keeps both strategies' pictures identical.
 */
export function sharedVideoFilters(plan: LadderPlan): string[] {
  return [...decodeFilters(plan), ...toneMapFilters(plan.video.colour)];
}

/** Deinterlace and constant frame rate: what SDR and HDR variants share. */
export function decodeFilters(plan: LadderPlan): string[] {
  return [...deinterlaceFilter(plan.video.deinterlace), `fps=${formatRate(plan.frameRate)}`];
}

/**
 * Per rendition: square pixels and 8-bit 4:2:0 whatever the source (10-bit, 4:2:2,
 * anamorphic); an HDR twin stays 10-bit in the source's colours.
 */
export function renditionVideoFilters(plan: LadderPlan, rendition: PlannedRendition): string[] {
  if (rendition.hdr)
    return [`scale=${rendition.width}:${rendition.height}`, 'setsar=1', 'format=yuv420p10le'];
  return [
    `scale=${rendition.width}:${rendition.height}${scalerMatrixOptions(plan.video.colour)}`,
    'setsar=1',
    'format=yuv420p',
  ];
}

/**
 * Posters and the sprite see the picture the renditions show: deinterlaced (one frame
 * per frame: a still needs no field rate) and tone-mapped, at their own size.
 */
export function stillImageFilters(
  video: VideoTreatment,
  size: { width: number; height: number },
): { before: string[]; scale: string[] } {
  const deinterlace = video.deinterlace
    ? { ...video.deinterlace, rate: 'frame-rate' as const }
    : null;
  return {
    before: [...deinterlaceFilter(deinterlace), ...toneMapFilters(video.colour)],
    scale: [`scale=${size.width}:${size.height}${scalerMatrixOptions(video.colour)}`, 'setsar=1'],
  };
}
