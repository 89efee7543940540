import type { FrameRate } from '@videoforge/contracts';
import { rateValue, reduceRate } from '@videoforge/platform/media';

export function formatRate(rate: FrameRate): string {
  return rate.den === 1 ? String(rate.num) : `${rate.num}/${rate.den}`;
}

const STANDARD_RATES: readonly FrameRate[] = [
  { num: 24000, den: 1001 },
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30000, den: 1001 },
  { num: 30, den: 1 },
  { num: 48, den: 1 },
  { num: 50, den: 1 },
  { num: 60000, den: 1001 },
  { num: 60, den: 1 },
];

/**
 * The constant output rate for a source. Above the cap we keep every n-th frame (120 →
 * 60, 100 → 50, 144 → 48) rather than resampling to the cap, so motion stays even. A
 * variable-rate source gets the smallest standard rate at or just under its average, so
 * frames are duplicated rather than dropped and every rendition shares one GOP length.
 */
export function outputFrameRate(
  source: {
    frameRate: FrameRate;
    averageFrameRate?: FrameRate | undefined;
    variableFrameRate: boolean;
  },
  maxFrameRate: number,
): FrameRate {
  const base =
    source.variableFrameRate && source.averageFrameRate
      ? standardRateFor(source.averageFrameRate)
      : source.frameRate;
  const value = rateValue(base);
  if (value <= maxFrameRate) return base;
  const divisor = Math.ceil(value / maxFrameRate - 1e-9);
  return reduceRate({ num: base.num, den: base.den * divisor });
}

function standardRateFor(average: FrameRate): FrameRate {
  const value = rateValue(average);
  const standard = STANDARD_RATES.find((rate) => rateValue(rate) >= value * 0.97);
  return standard ?? { num: Math.max(1, Math.round(value)), den: 1 };
}

/** Frames per keyframe interval: the same integer for every rendition, so their GOPs line up. */
export function keyframeIntervalFrames(rate: FrameRate, seconds: number): number {
  return Math.max(1, Math.round(rateValue(rate) * seconds));
}
