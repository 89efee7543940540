import { z } from 'zod';
import type { PlannedRendition } from '../plan/ladder.ts';

/**
 * How an SDR rendition spends its bits, server-wide. `abr`: a target bit rate capped at itself
 * (the rendition's nominal rate, every second). `cappedCrf`: constant quality (x264 CRF) under
 * the same cap, so easy pictures take fewer bits and hard ones no more than under `abr`
 * (the idea of MediaConvert's QVBR). Either way the VBV buffer is two seconds at the cap.
 */
export const RateControl = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('abr') }),
  z.object({ mode: z.literal('cappedCrf'), crf: z.number().int().min(1).max(51) }),
]);
export type RateControl = z.infer<typeof RateControl>;

/**
 * Chosen from bench/quality's measurements (docs/transcoder.md, "Rate control"): under the
 * ladder's caps capped CRF saved no bits at equal SSIM (the cap binds on three sources of
 * four), so it is an option, not the default.
 */
export const DEFAULT_RATE_CONTROL: RateControl = { mode: 'abr' };

/** The one spelling of a rate control in configuration: `abr` or `capped-crf:<1–51>`. */
export const RateControlSetting = z
  .string()
  .trim()
  .regex(/^(abr|capped-crf:[0-9]{1,2})$/, 'must be abr or capped-crf:<1–51>, e.g. capped-crf:23')
  .transform((value, ctx): RateControl => {
    if (value === 'abr') return { mode: 'abr' };
    const parsed = RateControl.safeParse({
      mode: 'cappedCrf',
      crf: Number(value.slice('capped-crf:'.length)),
    });
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: 'the CRF must be between 1 and 51' });
    return z.NEVER;
  });

/** Renders a rate control back into its configuration spelling (bench output, logs). */
export function rateControlSetting(rateControl: RateControl): string {
  switch (rateControl.mode) {
    case 'abr':
      return 'abr';
    case 'cappedCrf':
      return `capped-crf:${rateControl.crf}`;
  }
}

/** x264's rate-control arguments for one rendition. */
export function x264RateControlOptions(
  rateControl: RateControl,
  rendition: Pick<PlannedRendition, 'videoBitrateKbps' | 'maxrateKbps' | 'bufsizeKbps'>,
): string[] {
  const vbv = ['-maxrate', `${rendition.maxrateKbps}k`, '-bufsize', `${rendition.bufsizeKbps}k`];
  switch (rateControl.mode) {
    case 'abr':
      return ['-b:v', `${rendition.videoBitrateKbps}k`, ...vbv];
    case 'cappedCrf':
      return ['-crf', String(rateControl.crf), ...vbv];
  }
}

/**
 * x265's CRF scale sits about 5 above x264's for the same picture (x265's default 28
 * matches x264's 23), so a configured x264 CRF is shifted rather than reused.
 */
const X265_CRF_OFFSET = 5;
/** SVT-AV1's CRF runs 0–63; x264's 23 lands near SVT-AV1's 35. */
const SVT_AV1_CRF_OFFSET = 12;

/** x265's rate-control arguments for one rendition (the same cap and buffer as x264's). */
export function x265RateControlOptions(
  rateControl: RateControl,
  rendition: Pick<PlannedRendition, 'videoBitrateKbps' | 'maxrateKbps' | 'bufsizeKbps'>,
): string[] {
  const vbv = ['-maxrate', `${rendition.maxrateKbps}k`, '-bufsize', `${rendition.bufsizeKbps}k`];
  switch (rateControl.mode) {
    case 'abr':
      return ['-b:v', `${rendition.videoBitrateKbps}k`, ...vbv];
    case 'cappedCrf':
      return ['-crf', String(Math.min(51, rateControl.crf + X265_CRF_OFFSET)), ...vbv];
  }
}

/**
 * SVT-AV1's rate-control arguments for one rendition. Its VBR takes no cap equal to the
 * target (SVT-AV1 1.4 refuses max ≤ target), so ABR is VBR at the rendition's rate; capped
 * CRF is SVT-AV1's own capped CRF under the rendition's cap.
 */
export function svtAv1RateControlOptions(
  rateControl: RateControl,
  rendition: Pick<PlannedRendition, 'videoBitrateKbps' | 'maxrateKbps' | 'bufsizeKbps'>,
): string[] {
  switch (rateControl.mode) {
    case 'abr':
      return ['-b:v', `${rendition.videoBitrateKbps}k`];
    case 'cappedCrf':
      return [
        '-crf',
        String(Math.min(63, rateControl.crf + SVT_AV1_CRF_OFFSET)),
        '-maxrate',
        `${rendition.maxrateKbps}k`,
        '-bufsize',
        `${rendition.bufsizeKbps}k`,
      ];
  }
}
