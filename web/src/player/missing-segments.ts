/**
 * Remembers which variants answered 404 for which segment, so a player can tell a file
 * storage lost (every variant misses it: nothing will ever play past it) from one bad
 * variant (ABR moves on to another). hls.js alone would back off and retry the lost
 * segment for about 40 s before giving up, the viewer looking at a still frame.
 */
export interface MissingSegments {
  /** Records a 404 for `segment` (its sequence number, or "init") in `variant`; true once every variant has missed it. */
  missedEverywhere(segment: number | string, variant: number): boolean;
}

export function trackMissingSegments(variantCount: () => number): MissingSegments {
  const missing = new Map<string, Set<number>>();
  return {
    missedEverywhere(segment, variant) {
      const key = String(segment);
      const variants = missing.get(key) ?? new Set<number>();
      variants.add(variant);
      missing.set(key, variants);
      const count = variantCount();
      return count > 0 && variants.size >= count;
    },
  };
}
