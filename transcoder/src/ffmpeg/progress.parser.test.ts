import { describe, expect, it } from 'vitest';
import {
  isWorthReporting,
  outTimeSeconds,
  parseProgressLine,
  progressPercent,
} from './progress.parser.ts';

// A block as ffmpeg 5.1 prints it with -progress.
const BLOCK = `frame=175
fps=0.00
stream_0_0_q=-1.0
bitrate=N/A
total_size=N/A
out_time_us=7018667
out_time_ms=7018667
out_time=00:00:07.018667
dup_frames=0
drop_frames=0
speed=16.2x
progress=continue`;

function fieldsOf(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const parsed = parseProgressLine(line);
    if (parsed.kind === 'field') fields.set(parsed.key, parsed.value);
  }
  return fields;
}

describe('progress parsing', () => {
  it('splits key=value lines and recognises the end of a block', () => {
    expect(parseProgressLine('out_time_us=7018667')).toEqual({
      kind: 'field',
      key: 'out_time_us',
      value: '7018667',
    });
    expect(parseProgressLine('progress=continue')).toEqual({ kind: 'block-end', done: false });
    expect(parseProgressLine('progress=end')).toEqual({ kind: 'block-end', done: true });
    expect(parseProgressLine('[hls @ 0x55] Opening segment-00001.m4s for writing')).toEqual({
      kind: 'other',
    });
  });

  it('reads the output time from out_time_us', () => {
    expect(outTimeSeconds(fieldsOf(BLOCK))).toBeCloseTo(7.018667, 6);
  });

  it('falls back to the clock form and treats N/A and negatives as nothing yet', () => {
    expect(outTimeSeconds(new Map([['out_time', '01:02:03.500000']]))).toBe(3723.5);
    expect(
      outTimeSeconds(
        new Map([
          ['out_time_us', 'N/A'],
          ['out_time', 'N/A'],
        ]),
      ),
    ).toBeUndefined();
    expect(outTimeSeconds(new Map([['out_time_us', '-577014']]))).toBe(0);
    expect(outTimeSeconds(new Map([['out_time', '-00:00:00.040000']]))).toBe(0);
  });

  it('turns time into a clamped percentage of the duration', () => {
    expect(progressPercent(7.018667, 28)).toBe(25.1);
    expect(progressPercent(31, 30)).toBe(100);
    expect(progressPercent(5, 0)).toBe(0);
  });

  it('reports whole-percent steps and the end once', () => {
    expect(isWorthReporting(undefined, 0.4, false)).toBe(true);
    expect(isWorthReporting(10.2, 10.9, false)).toBe(false);
    expect(isWorthReporting(10.9, 11.0, false)).toBe(true);
    expect(isWorthReporting(99.8, 100, true)).toBe(true);
    expect(isWorthReporting(100, 100, true)).toBe(false);
  });
});
