import { z } from 'zod';
import type { PlannedRendition } from '../plan/ladder.ts';

/**
 * How an SDR rung spends its bits, server-wide. `abr`: a target bit rate capped at itself
 * (the rung's nominal rate, every second). `cappedCrf`: constant quality (x264 CRF) under
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

/** x264's rate-control arguments for one rung. */
export function x264RateControlOptions(
  rateControl: RateControl,
  rung: Pick<PlannedRendition, 'videoBitrateKbps' | 'maxrateKbps' | 'bufsizeKbps'>,
): string[] {
  const vbv = ['-maxrate', `${rung.maxrateKbps}k`, '-bufsize', `${rung.bufsizeKbps}k`];
  switch (rateControl.mode) {
    case 'abr':
      return ['-b:v', `${rung.videoBitrateKbps}k`, ...vbv];
    case 'cappedCrf':
      return ['-crf', String(rateControl.crf), ...vbv];
  }
}
