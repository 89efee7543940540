import cliProgress from 'cli-progress';

/** One line of progress: a file's upload, or one rendition of its transcode. */
export interface ProgressLine {
  /** `total` bytes (or percent); `already` of them were stored before this run. */
  start(total: number, already?: number): void;
  advance(amount: number): void;
  set(value: number): void;
  /** A short word on the line: "resuming", "probing", "retrying", "720p running"… */
  status(text: string): void;
  finish(text: string): void;
}

export interface Reporter {
  line(name: string, unit: 'bytes' | 'percent'): ProgressLine;
  /** A message above the bars (never interleaved with them). */
  log(text: string): void;
  stop(): void;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Speed over this run only (bytes resumed from storage are not "sent"). */
class Rate {
  private readonly startedAt = Date.now();
  private sent = 0;
  add(bytes: number) {
    this.sent += bytes;
  }
  perSecond(): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0.2 ? this.sent / seconds : 0;
  }
}

function describeLine(
  name: string,
  unit: 'bytes' | 'percent',
  value: number,
  total: number,
  rate: Rate,
  status: string,
): string {
  const pct = total > 0 ? Math.floor((value / total) * 100) : 0;
  if (unit === 'percent') return `${name}  ${pct}%${status ? `  ${status}` : ''}`;
  const speed = rate.perSecond();
  const eta = speed > 0 ? (total - value) / speed : Number.NaN;
  return `${name}  ${pct}%  ${formatBytes(value)} of ${formatBytes(total)}  ${formatBytes(speed)}/s  ${formatDuration(eta)} left${status ? `  ${status}` : ''}`;
}

/**
 * Bars on a terminal (cli-progress redraws them in place); plain lines elsewhere (a
 * pipe, a log file, CI), at most one per line every two seconds, so output stays readable.
 */
export function createReporter(
  stream: NodeJS.WriteStream = process.stderr,
  { plain = !stream.isTTY }: { plain?: boolean } = {},
): Reporter {
  const width = 24;
  if (plain) {
    return {
      line(name, unit) {
        let value = 0;
        let total = 0;
        let status = '';
        let lastPrint = 0;
        const rate = new Rate();
        const print = (force = false) => {
          const now = Date.now();
          if (!force && now - lastPrint < 2000) return;
          lastPrint = now;
          stream.write(`${describeLine(name, unit, value, total, rate, status)}\n`);
        };
        return {
          start(t, already = 0) {
            total = t;
            value = already;
            print(true);
          },
          advance(amount) {
            value += amount;
            rate.add(amount);
            print();
          },
          set(v) {
            value = v;
            print();
          },
          status(text) {
            status = text;
            print(true);
          },
          finish(text) {
            value = total;
            status = text;
            print(true);
          },
        };
      },
      log: (text) => stream.write(`${text}\n`),
      stop: () => undefined,
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: width,
      format: (options, params, payload: { name: string; detail: string }) => {
        const complete = Math.round(params.progress * (options.barsize ?? width));
        const bar = `${'█'.repeat(complete)}${'░'.repeat((options.barsize ?? width) - complete)}`;
        return `${payload.name.padEnd(28).slice(0, 28)} ${bar} ${payload.detail}`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    line(name, unit) {
      const rate = new Rate();
      let status = '';
      let value = 0;
      let total = 1;
      const bar = bars.create(1, 0, { name, detail: '' });
      const render = () => {
        const text = describeLine('', unit, value, total, rate, status).trim();
        bar.update(value, { name, detail: text });
      };
      return {
        start(t, already = 0) {
          total = Math.max(1, t);
          value = already;
          bar.setTotal(total);
          render();
        },
        advance(amount) {
          value += amount;
          rate.add(amount);
          render();
        },
        set(v) {
          value = v;
          render();
        },
        status(text) {
          status = text;
          render();
        },
        finish(text) {
          value = total;
          status = text;
          render();
        },
      };
    },
    log: (text) => bars.log(`${text}\n`),
    stop: () => bars.stop(),
  };
}
