import type { FrameRate } from '@videoforge/contracts';

/** Parses ffprobe's "30000/1001" form; undefined for "0/0" and other non-rates. */
export function parseRational(text: string | undefined): FrameRate | undefined {
  if (!text) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = Number(match[2]);
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num <= 0 || den <= 0)
    return undefined;
  return reduceRate({ num, den });
}

export function rateValue(rate: FrameRate): number {
  return rate.num / rate.den;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The same rate in lowest terms (60000/2002 → 30000/1001). */
export function reduceRate(rate: FrameRate): FrameRate {
  const divisor = gcd(rate.num, rate.den);
  return { num: rate.num / divisor, den: rate.den / divisor };
}
