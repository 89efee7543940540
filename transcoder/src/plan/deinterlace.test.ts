import { describe, expect, it } from 'vitest';
import {
  interlaceFromFieldOrder,
  interlaceFromIdet,
  parseIdetSummary,
  planDeinterlace,
} from './deinterlace.ts';

describe('interlace detection', () => {
  it('trusts a stated field order and leaves an unstated one to idet', () => {
    expect(interlaceFromFieldOrder('tt')).toEqual({
      interlaced: true,
      parity: 'tff',
      detectedBy: 'field-order',
    });
    expect(interlaceFromFieldOrder('bt')?.parity).toBe('bff');
    expect(interlaceFromFieldOrder('progressive')?.interlaced).toBe(false);
    expect(interlaceFromFieldOrder('unknown')).toBeUndefined();
    expect(interlaceFromFieldOrder(undefined)).toBeUndefined();
  });

  it("reads idet's multi-frame summary and needs a clear majority", () => {
    const stderr = [
      '[Parsed_idet_0 @ 0x1] Repeated Fields: Neither: 120 Top: 0 Bottom: 0',
      '[Parsed_idet_0 @ 0x1] Single frame detection: TFF: 80 BFF: 0 Progressive: 30 Undetermined: 10',
      '[Parsed_idet_0 @ 0x1] Multi frame detection: TFF: 100 BFF: 2 Progressive: 10 Undetermined: 8',
    ].join('\n');
    const counts = parseIdetSummary(stderr);
    expect(counts).toEqual({ tff: 100, bff: 2, progressive: 10, undetermined: 8 });
    expect(counts && interlaceFromIdet(counts)).toEqual({
      interlaced: true,
      parity: 'tff',
      detectedBy: 'idet',
    });
    expect(
      interlaceFromIdet({ tff: 5, bff: 3, progressive: 100, undetermined: 12 }).interlaced,
    ).toBe(false);
    // What idet makes of progressive testsrc2: sharp moving edges look like combing.
    expect(interlaceFromIdet({ tff: 41, bff: 0, progressive: 9, undetermined: 0 }).interlaced).toBe(
      false,
    );
    expect(parseIdetSummary('nothing here')).toBeUndefined();
  });

  it('doubles the rate to the field rate only within the cap', () => {
    const detection = { interlaced: true, parity: 'tff', detectedBy: 'idet' } as const;
    expect(planDeinterlace(detection, { num: 25, den: 1 }, 60, 'field').frameRate).toEqual({
      num: 50,
      den: 1,
    });
    expect(planDeinterlace(detection, { num: 25, den: 1 }, 30, 'field').plan?.rate).toBe(
      'frame-rate',
    );
    expect(planDeinterlace(detection, { num: 25, den: 1 }, 60, 'frame').frameRate).toEqual({
      num: 25,
      den: 1,
    });
    expect(planDeinterlace(undefined, { num: 25, den: 1 }, 60, 'field').plan).toBeNull();
  });
});
