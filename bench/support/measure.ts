// What the benches share: CPU accounting from /proc, medians, and the generated source.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLOCK_TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime, cutime + cstime (seconds) and the parent of one /proc/<pid>/stat (fields after "(comm)"). */
function statTimes(stat: string): { self: number; children: number; ppid: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(fields[i]) / CLOCK_TICKS;
  return { self: ticks(11) + ticks(12), children: ticks(13) + ticks(14), ppid: Number(fields[1]) };
}

/** CPU seconds of this process plus every child it has reaped so far. */
export function cpuSeconds(): number {
  const own = statTimes(readFileSync('/proc/self/stat', 'utf8'));
  const self = process.cpuUsage();
  return own.children + (self.user + self.system) / 1e6;
}

/**
 * CPU seconds of a process and everything it started, split three ways: its own time,
 * what it has reaped (children that exited, e.g. transcoder processes with their
 * ffmpeg), and every live descendant (e.g. the database server it started, even in a
 * process group of its own).
 */
export function treeCpuSeconds(root: number): { own: number; reaped: number; others: number } {
  const stats = new Map<number, ReturnType<typeof statTimes>>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), statTimes(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      /* exited while we looked */
    }
  }
  const descends = (pid: number): boolean => {
    for (let at = stats.get(pid)?.ppid; at !== undefined && at > 1; at = stats.get(at)?.ppid)
      if (at === root) return true;
    return false;
  };
  const split = { own: 0, reaped: 0, others: 0 };
  for (const [pid, times] of stats) {
    if (pid === root) {
      split.own += times.self;
      split.reaped += times.children;
    } else if (descends(pid)) split.others += times.self + times.children;
  }
  return split;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * A 1080p30 clip like a phone's recording: High-profile H.264 (CABAC, B-frames) at about
 * 10–15 Mb/s with stereo AAC; light temporal noise keeps testsrc2 from compressing to
 * almost nothing.
 */
export async function generatePhoneLikeClip(target: string, seconds: number): Promise<void> {
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=1920x1080:r=30:d=${seconds},noise=alls=4:allf=t`,
    '-f', 'lavfi', '-i', `aevalsrc=0.2*sin(440*2*PI*t)|0.2*sin(660*2*PI*t):s=48000:d=${seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-crf', '23', '-g', '60',
    '-c:a', 'aac', '-shortest', target,
  ]); // prettier-ignore
}

/** Wall and CPU seconds of one measured task. */
export interface Sample {
  wall: number;
  cpu: number;
}

/** Runs a task and measures its wall time and the CPU of this process and its reaped children. */
export async function measureSample(task: () => Promise<void>): Promise<Sample> {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await task();
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - cpu0 };
}

export function medianSample(samples: readonly Sample[]): Sample {
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

/** The least-disturbed run: noise on a shared machine only ever adds time. */
export function bestSample(samples: readonly Sample[]): Sample {
  return samples.reduce((a, b) => (b.wall < a.wall ? b : a));
}
