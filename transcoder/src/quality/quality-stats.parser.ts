import { PSNR_CEILING_DB } from '@videoforge/contracts';

export interface QualityScore {
  /** Mean over frames of SSIM "All" (Y, U and V weighted 4:1:1, as ffmpeg's ssim filter). */
  ssim: number;
  /** PSNR of the mean MSE over frames (Y, U and V), as ffmpeg's psnr filter's "average"; capped. */
  psnrDb: number;
  frames: number;
}

/**
 * The score of one comparison from what ffmpeg's `ssim` and `psnr` filters write to
 * their stats files (one `key:value` line per frame; both may share one stream).
 * PSNR comes from the mean MSE, not the mean of per-frame PSNRs, as the filter's own
 * summary does, so one perfect frame cannot make the average infinite. The filter writes
 * MSE in the pictures' own code values, so `peak` is 255 for 8-bit and 1023 for 10-bit.
 */
export function parseQualityStats(
  ssimText: string,
  psnrText: string = ssimText,
  peak = 255,
): QualityScore {
  const ssim = statsColumn(ssimText, 'All');
  const meanMse = mean(statsColumn(psnrText, 'mse_avg'));
  return {
    ssim: Math.min(1, mean(ssim)),
    psnrDb:
      meanMse === 0
        ? PSNR_CEILING_DB
        : Math.min(PSNR_CEILING_DB, 10 * Math.log10((peak * peak) / meanMse)),
    frames: ssim.length,
  };
}

/** One `key:value` column of an ssim/psnr stats file (one line per frame). */
export function statsColumn(text: string, key: string): number[] {
  const pattern = new RegExp(`(?:^|\\s)${key}:([0-9.]+|inf)`);
  return text
    .split('\n')
    .map((line) => pattern.exec(line)?.[1])
    .filter((value): value is string => value !== undefined)
    .map((value) => (value === 'inf' ? Infinity : Number(value)));
}

function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no frames were compared');
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
