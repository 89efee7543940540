import { z } from 'zod';
import { VariantName } from './renditions.ts';

/**
 * PSNR of identical pictures is infinite; JSON has no infinity, so the transcoder
 * reports at most this (the convention of most tools, and far above any lossy encode).
 */
export const PSNR_CEILING_DB = 100;

/**
 * A rendition's measured picture quality against its source (scaled, deinterlaced and
 * tone-mapped exactly as the encoder's input was), on a sample of short windows spread
 * over the title. Reported by the transcoder, kept in the TranscodeJob status, Postgres
 * and the API's job responses. An HDR twin's figure is measured in its own PQ/HLG
 * signal (10-bit, not tone-mapped) and is not comparable with an SDR figure.
 */
export const RenditionQuality = z.object({
  /** Mean SSIM ("All": Y, U, V weighted 4:1:1, as ffmpeg's ssim filter), 0..1. */
  ssim: z.number().min(0).max(1),
  /** PSNR of the mean MSE over the sampled frames (Y, U, V), in dB. */
  psnrDb: z.number().min(0).max(PSNR_CEILING_DB),
  /** Seconds of the title that were compared (the sum of the windows). */
  sampledSeconds: z.number().min(0),
});
export type RenditionQuality = z.infer<typeof RenditionQuality>;

/**
 * A twin's measured quality beside its rendition's: the HEVC or AV1 twin ("720p-av1")
 * against the same reference as the H.264 rendition, the HDR twin ("720p-hdr") in the
 * PQ/HLG domain. Only measured twins are listed.
 */
export const TwinQuality = z.object({
  variant: VariantName,
  quality: RenditionQuality,
});
export type TwinQuality = z.infer<typeof TwinQuality>;
