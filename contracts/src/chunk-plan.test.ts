import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planChunks, segmentCountOf } from './chunk-plan.ts';

describe('the chunk plan', () => {
  it('cuts ten minutes of 6 s segments into four chunks of whole segments', () => {
    // 600 s / 6 s = 100 segments: 25 each.
    expect(planChunks({ durationSeconds: 600, segmentSeconds: 6, maxParallel: 4 })).toEqual([
      { index: 0, startSegment: 0, segmentCount: 25 },
      { index: 1, startSegment: 25, segmentCount: 25 },
      { index: 2, startSegment: 50, segmentCount: 25 },
      { index: 3, startSegment: 75, segmentCount: 25 },
    ]);
  });

  it('gives the remainder to the first chunks, one segment each', () => {
    // 62 s: 10 full segments and a 2 s one = 11 segments over 3 chunks.
    expect(planChunks({ durationSeconds: 62, segmentSeconds: 6, maxParallel: 3 })).toEqual([
      { index: 0, startSegment: 0, segmentCount: 4 },
      { index: 1, startSegment: 4, segmentCount: 4 },
      { index: 2, startSegment: 8, segmentCount: 3 },
    ]);
  });

  it('makes one chunk of a title shorter than one segment', () => {
    expect(planChunks({ durationSeconds: 2.5, segmentSeconds: 6, maxParallel: 8 })).toEqual([
      { index: 0, startSegment: 0, segmentCount: 1 },
    ]);
  });

  it('makes one chunk of the whole title when maxParallel is 1', () => {
    expect(planChunks({ durationSeconds: 125, segmentSeconds: 6, maxParallel: 1 })).toEqual([
      { index: 0, startSegment: 0, segmentCount: 21 },
    ]);
  });

  it('never makes more chunks than segments', () => {
    expect(planChunks({ durationSeconds: 12, segmentSeconds: 6, maxParallel: 8 })).toHaveLength(2);
  });

  it('does not count a probed float just past a boundary as another segment', () => {
    expect(segmentCountOf(12.0004, 6)).toBe(2);
    expect(segmentCountOf(12.1, 6)).toBe(3);
  });

  it('cuts by a target chunk length when one is given, the last chunk taking what is left', () => {
    // 20 segments in chunks of round(20/6) = 3 segments.
    expect(
      planChunks({ durationSeconds: 120, segmentSeconds: 6, maxParallel: 2, chunkSeconds: 20 }).map(
        (c) => c.segmentCount,
      ),
    ).toEqual([3, 3, 3, 3, 3, 3, 2]);
  });

  it('covers every segment exactly once, in order, for any title', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        fc.constantFrom(2, 4, 6, 10),
        fc.integer({ min: 1, max: 64 }),
        fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
        (durationSeconds, segmentSeconds, maxParallel, chunkSeconds) => {
          const chunks = planChunks({ durationSeconds, segmentSeconds, maxParallel, chunkSeconds });
          let next = 0;
          for (const [i, chunk] of chunks.entries()) {
            expect(chunk.index).toBe(i);
            expect(chunk.startSegment).toBe(next);
            expect(chunk.segmentCount).toBeGreaterThanOrEqual(1);
            next += chunk.segmentCount;
          }
          expect(next).toBe(segmentCountOf(durationSeconds, segmentSeconds));
          if (chunkSeconds === undefined) expect(chunks.length).toBeLessThanOrEqual(maxParallel);
        },
      ),
    );
  });
});
