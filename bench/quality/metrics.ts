// SSIM and PSNR of every rendition of one encode against the source, in one ffmpeg run: the
// source is decoded once and passed through the transcoder's own filters (frame rate,
// scale, pixel format: exactly the picture each encoder was given), then each rendition's
// MP4 is compared with its reference frame by frame.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  parseQualityStats,
  renditionVideoFilters,
  sharedVideoFilters,
  type LadderPlan,
  type PlannedRendition,
} from '@videoforge/transcoder';

const run = promisify(execFile);

export interface RenditionScore {
  /** Mean over frames of SSIM "All" (Y, U and V weighted 4:1:1, as ffmpeg's ssim filter). */
  ssim: number;
  /** PSNR of the mean MSE over frames (Y, U and V), as ffmpeg's psnr filter's "average". */
  psnr: number;
  frames: number;
}

export interface ScoredRendition {
  rendition: PlannedRendition;
  mp4: string;
}

export async function scoreRenditions(
  source: string,
  plan: LadderPlan,
  renditions: readonly ScoredRendition[],
  statsDir: string,
): Promise<RenditionScore[]> {
  const n = renditions.length;
  const refs = renditions.map((_, i) => `[r${i}]`).join('');
  const chains = [
    `[0:v]setpts=PTS-STARTPTS,${sharedVideoFilters(plan).join(',')},split=${n}${refs}`,
    ...renditions.flatMap(({ rendition: rendition }, i) => [
      `[r${i}]${renditionVideoFilters(plan, rendition).join(',')},split=2[ra${i}][rb${i}]`,
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
      ...renditions.flatMap(({ mp4 }) => ['-i', mp4]),
      '-filter_complex', chains.join(';'),
      ...renditions.flatMap((_, i) => ['-map', `[qa${i}]`, '-f', 'null', '-', '-map', `[qb${i}]`, '-f', 'null', '-']),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  ); // prettier-ignore
  // psnr is the shared parser's, capped at PSNR_CEILING_DB for identical pictures.
  return Promise.all(
    renditions.map(async (_, i) => {
      const score = parseQualityStats(
        await readFile(path.join(statsDir, `ssim-${i}.log`), 'utf8'),
        await readFile(path.join(statsDir, `psnr-${i}.log`), 'utf8'),
      );
      return { ssim: score.ssim, psnr: score.psnrDb, frames: score.frames };
    }),
  );
}
