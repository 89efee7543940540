import { DEFAULT_LADDER } from './renditions.ts';

/**
 * The name of the one rendition a source smaller than every rung gets: its own short
 * side, rounded down to even (4:2:0), plus "p" — 320×240 → "240p", 160×120 → "120p".
 * The transcoder's ladder, the API's formats and the web's format picker all use it,
 * so the rendition finalize looks for is the one that was made.
 */
export function ownSizeRenditionName(width: number, height: number): string {
  const even = (value: number) => Math.max(2, 2 * Math.floor(value / 2));
  return `${Math.min(even(width), even(height))}p`;
}

/** True when the source is below the ladder's lowest rung, so it gets its own-size rendition. */
export function isBelowLadder(width: number, height: number): boolean {
  const lowest = Math.min(...DEFAULT_LADDER.map((rung) => rung.height));
  return Math.min(width, height) < lowest;
}

/**
 * The renditions a job for this source asks for: the requested (or default) ladder
 * names; for a source below the lowest rung, its one own-size rendition, whatever was
 * picked (nothing else could be made without upscaling).
 */
export function renditionsForSource(
  width: number,
  height: number,
  requested?: readonly string[],
): string[] {
  if (isBelowLadder(width, height)) return [ownSizeRenditionName(width, height)];
  if (requested) return [...requested];
  const shortSide = Math.min(width, height);
  return DEFAULT_LADDER.filter((rung) => rung.height <= shortSide).map((rung) => rung.name);
}
