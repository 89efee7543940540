/**
 * ffmpeg's `-progress` output: blocks of key=value lines, each closed by
 * `progress=continue` or, once, `progress=end`.
 */
export type ProgressLine =
  | { kind: 'field'; key: string; value: string }
  | { kind: 'block-end'; done: boolean }
  | { kind: 'other' };

const FIELD = /^([a-z_][a-z0-9_]*)=(.*)$/;

export function parseProgressLine(line: string): ProgressLine {
  const match = FIELD.exec(line.trim());
  if (!match) return { kind: 'other' };
  const key = match[1] ?? '';
  const value = (match[2] ?? '').trim();
  if (key === 'progress') return { kind: 'block-end', done: value === 'end' };
  return { kind: 'field', key, value };
}

/**
 * Output time in seconds from a block. `out_time_us` is the precise one; `out_time_ms`
 * is also microseconds (a long-standing ffmpeg misnomer); `out_time` is HH:MM:SS.micro.
 * Early blocks say N/A or a negative time, which mean "nothing yet".
 */
export function outTimeSeconds(fields: ReadonlyMap<string, string>): number | undefined {
  for (const key of ['out_time_us', 'out_time_ms']) {
    const raw = fields.get(key);
    if (raw !== undefined && /^-?\d+$/.test(raw)) return Math.max(0, Number(raw) / 1_000_000);
  }
  const clock = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(fields.get('out_time') ?? '');
  if (!clock) return undefined;
  if (clock[1] === '-') return 0;
  return Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
}

/** Percent of the source's duration, 0–100 with one decimal. */
export function progressPercent(outTime: number, durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  const percent = (outTime / durationSeconds) * 100;
  return Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
}

/** Callers hear about whole-percent steps and the end, not every half-second block. */
export function isWorthReporting(
  previous: number | undefined,
  next: number,
  done: boolean,
): boolean {
  if (done) return previous !== 100;
  return previous === undefined || Math.floor(next) > Math.floor(previous);
}
