// The arithmetic of bench/quality, kept pure: curves of (bits, quality), interpolated.
// Quality is SSIM pooled as ffmpeg pools it over frames (the arithmetic mean), over renditions
// and sources alike; bits are the sum of each rendition's mean bit rate from its HLS segments.

/** One encode of a rendition, a ladder or the whole set, as the comparison sees it. */
export interface LadderPoint {
  /** kb/s, summed over what the point covers. */
  kbps: number;
  /** Mean SSIM over what the point covers (every rendition weighs the same). */
  ssim: number;
}

/** SSIM on a log scale, where equal steps are closer to equal visible steps: −10·log10(1 − SSIM). */
export function ssimDb(ssim: number): number {
  return -10 * Math.log10(Math.max(1 - ssim, 1e-10));
}

/** Several points as one: bits add up, SSIM is averaged. */
export function pool(points: readonly LadderPoint[]): LadderPoint {
  if (points.length === 0) throw new Error('nothing to pool');
  return {
    kbps: points.reduce((sum, p) => sum + p.kbps, 0),
    ssim: points.reduce((sum, p) => sum + p.ssim, 0) / points.length,
  };
}

/** A piecewise-linear curve through points sorted by x; undefined outside its range. */
function interpolate(points: readonly { x: number; y: number }[], x: number): number | undefined {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  for (let i = 1; i < sorted.length; i++) {
    const lo = sorted[i - 1];
    const hi = sorted[i];
    if (!lo || !hi || x < lo.x || x > hi.x) continue;
    return hi.x === lo.x ? lo.y : lo.y + ((hi.y - lo.y) * (x - lo.x)) / (hi.x - lo.x);
  }
  return sorted.length === 1 && sorted[0]?.x === x ? sorted[0].y : undefined;
}

export type EqualQualityBits =
  | { kind: 'interpolated'; kbps: number; saved: number }
  /** Even the curve's cheapest point is better than the target: at least this much saved. */
  | { kind: 'atLeast'; kbps: number; saved: number }
  /** The curve never reaches the target quality (its cap binds first). */
  | { kind: 'unreached'; bestSsim: number };

/**
 * The bits `curve` needs to match `target`'s quality, interpolating log(bits) over SSIM dB
 * (bit rate grows about exponentially with SSIM dB, so that is nearly a straight line).
 */
export function bitsAtEqualQuality(
  target: LadderPoint,
  curve: readonly LadderPoint[],
): EqualQualityBits {
  const logBits = interpolate(
    curve.map((p) => ({ x: ssimDb(p.ssim), y: Math.log(p.kbps) })),
    ssimDb(target.ssim),
  );
  if (logBits !== undefined) {
    const kbps = Math.exp(logBits);
    return { kind: 'interpolated', kbps, saved: 1 - kbps / target.kbps };
  }
  const cheapest = [...curve].sort((a, b) => a.kbps - b.kbps)[0];
  if (cheapest && cheapest.ssim >= target.ssim)
    return { kind: 'atLeast', kbps: cheapest.kbps, saved: 1 - cheapest.kbps / target.kbps };
  return { kind: 'unreached', bestSsim: Math.max(...curve.map((p) => p.ssim)) };
}

/** The SSIM (in dB) `curve` reaches at `kbps` (log-bits interpolation); undefined outside it. */
export function qualityDbAtBits(kbps: number, curve: readonly LadderPoint[]): number | undefined {
  return interpolate(
    curve.map((p) => ({ x: Math.log(p.kbps), y: ssimDb(p.ssim) })),
    Math.log(kbps),
  );
}

/**
 * The CRF at which `curve` (one point per CRF) has `target`'s SSIM, linear in CRF between
 * the measured ones; undefined outside them.
 */
export function crfAtQuality(
  curve: readonly { crf: number; point: LadderPoint }[],
  target: LadderPoint,
): number | undefined {
  return interpolate(
    curve.map(({ crf, point }) => ({ x: ssimDb(point.ssim), y: crf })),
    ssimDb(target.ssim),
  );
}

export function formatSaving(result: EqualQualityBits): string {
  switch (result.kind) {
    case 'interpolated':
      return `${(100 * result.saved).toFixed(1)} %`;
    case 'atLeast':
      return `≥ ${(100 * result.saved).toFixed(1)} %`;
    case 'unreached':
      return `— (best SSIM ${result.bestSsim.toFixed(5)})`;
  }
}
