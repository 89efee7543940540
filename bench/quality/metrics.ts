// SSIM and PSNR of every rung of one encode against the source, in one ffmpeg run: the
// source is decoded once and passed through the transcoder's own filters (frame rate,
// scale, pixel format: exactly the picture each encoder was given), then each rung's
// MP4 is compared with its reference frame by frame.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  rungVideoFilters,
  sharedVideoFilters,
  type LadderPlan,
  type PlannedRendition,
} from '@videoforge/transcoder';

const run = promisify(execFile);

export interface RungScore {
  /** Mean over frames of SSIM "All" (Y, U and V weighted 4:1:1, as ffmpeg's ssim filter). */
  ssim: number;
  /** PSNR of the mean MSE over frames (Y, U and V), as ffmpeg's psnr filter's "average". */
  psnr: number;
  frames: number;
}

export interface ScoredRung {
  rung: PlannedRendition;
  mp4: string;
}

export async function scoreRungs(
  source: string,
  plan: LadderPlan,
  rungs: readonly ScoredRung[],
  statsDir: string,
): Promise<RungScore[]> {
  const n = rungs.length;
  const refs = rungs.map((_, i) => `[r${i}]`).join('');
  const chains = [
    `[0:v]setpts=PTS-STARTPTS,${sharedVideoFilters(plan).join(',')},split=${n}${refs}`,
    ...rungs.flatMap(({ rung }, i) => [
      `[r${i}]${rungVideoFilters(plan, rung).join(',')},split=2[ra${i}][rb${i}]`,
      `[${i + 1}:v]setpts=PTS-STARTPTS,split=2[da${i}][db${i}]`,
      `[da${i}][ra${i}]ssim=stats_file=${path.join(statsDir, `ssim-${i}.log`)}[qa${i}]`,
      `[db${i}][rb${i}]psnr=stats_file=${path.join(statsDir, `psnr-${i}.log`)}[qb${i}]`,
    ]),
  ];
  await run(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostats', '-y',
      '-i', source,
      ...rungs.flatMap(({ mp4 }) => ['-i', mp4]),
      '-filter_complex', chains.join(';'),
      ...rungs.flatMap((_, i) => ['-map', `[qa${i}]`, '-f', 'null', '-', '-map', `[qb${i}]`, '-f', 'null', '-']),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  ); // prettier-ignore
  return Promise.all(
    rungs.map(async (_, i) => {
      const ssim = statsColumn(await readFile(path.join(statsDir, `ssim-${i}.log`), 'utf8'), 'All');
      const mse = statsColumn(
        await readFile(path.join(statsDir, `psnr-${i}.log`), 'utf8'),
        'mse_avg',
      );
      const meanMse = mean(mse);
      return {
        ssim: mean(ssim),
        psnr: meanMse === 0 ? Infinity : 10 * Math.log10((255 * 255) / meanMse),
        frames: ssim.length,
      };
    }),
  );
}

/** One `key:value` column of an ssim/psnr stats file (one line per frame). */
function statsColumn(text: string, key: string): number[] {
  const pattern = new RegExp(`(?:^|\\s)${key}:([0-9.]+|inf)`);
  return text
    .split('\n')
    .map((line) => pattern.exec(line)?.[1])
    .filter((value): value is string => value !== undefined)
    .map((value) => (value === 'inf' ? Infinity : Number(value)));
}

function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no frames were compared');
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
