import { describe, expect, it } from 'vitest';
import { trackMissingSegments } from './missing-segments.ts';

describe('missing segments', () => {
  it('gives up on a segment only once every variant has missed it', () => {
    const missing = trackMissingSegments(() => 3);
    expect(missing.missedEverywhere('init', 0)).toBe(false);
    expect(missing.missedEverywhere('init', 0)).toBe(false);
    expect(missing.missedEverywhere('init', 2)).toBe(false);
    // Another segment missing elsewhere is not the same loss.
    expect(missing.missedEverywhere(4, 1)).toBe(false);
    expect(missing.missedEverywhere('init', 1)).toBe(true);
  });

  it('never gives up before the variants are known', () => {
    expect(trackMissingSegments(() => 0).missedEverywhere(0, 0)).toBe(false);
  });
});
