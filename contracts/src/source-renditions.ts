import { DEFAULT_LADDER, type RenditionSpec } from './renditions.ts';

/**
 * The name of the one rendition a source smaller than every rendition gets: its own short
 * side, rounded down to even (4:2:0), plus "p" — 320×240 → "240p", 160×120 → "120p".
 * The transcoder's ladder, the API's formats and the web's format picker all use it,
 * so the rendition finalize looks for is the one that was made.
 */
export function ownSizeRenditionName(width: number, height: number): string {
  const even = (value: number) => Math.max(2, 2 * Math.floor(value / 2));
  return `${Math.min(even(width), even(height))}p`;
}

/** True when the source is below the ladder's lowest rendition, so it gets its own-size rendition. */
export function isBelowLadder(width: number, height: number): boolean {
  const lowest = Math.min(...DEFAULT_LADDER.map((rendition) => rendition.height));
  return Math.min(width, height) < lowest;
}

/**
 * The renditions a job for this source asks for: the requested (or default) ladder
 * names; for a source below the lowest rendition, its one own-size rendition, whatever was
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
  return DEFAULT_LADDER.filter((rendition) => rendition.height <= shortSide).map(
    (rendition) => rendition.name,
  );
}

/**
 * The rendition a name stands for: the default ladder's, or for a below-ladder source's
 * own-size name (e.g. "240p") its height at the lowest rendition's bit rate. Jobs list
 * renditions by name, and every runtime and strategy resolves them here.
 */
export function renditionForName(name: string): RenditionSpec {
  const standard = DEFAULT_LADDER.find((r) => r.name === name);
  if (standard)
    return { name: standard.name, height: standard.height, videoBitrate: standard.videoBitrate };
  const floor = DEFAULT_LADDER.at(-1);
  return {
    name,
    height: Number.parseInt(name, 10),
    videoBitrate: floor?.videoBitrate ?? '600k',
  };
}
