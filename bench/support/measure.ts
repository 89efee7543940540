// What the benches share: CPU accounting from /proc, medians, and the generated source.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLOCK_TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime, stime, cutime, cstime of one /proc/<pid>/stat, in seconds (fields after "(comm)"). */
function statTimes(stat: string): { self: number; children: number; pgrp: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(fields[i]) / CLOCK_TICKS;
  return { self: ticks(11) + ticks(12), children: ticks(13) + ticks(14), pgrp: Number(fields[2]) };
}

/** CPU seconds of this process plus every child it has reaped so far. */
export function cpuSeconds(): number {
  const own = statTimes(readFileSync('/proc/self/stat', 'utf8'));
  const self = process.cpuUsage();
  return own.children + (self.user + self.system) / 1e6;
}

/**
 * CPU seconds of a whole process group: every live member's own time plus what it has
 * reaped (ffmpeg and transcoder children, once they exit, count in their parent).
 */
export function groupCpuSeconds(pgid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const times = statTimes(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (times.pgrp === pgid) total += times.self + times.children;
    } catch {
      /* exited while we looked */
    }
  }
  return total;
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
