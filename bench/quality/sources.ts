// The generated 1080p30 sources of bench/quality, easiest first. Each is rendered by lavfi
// and stored as near-lossless H.264 (x264 CRF 10): the reference the encodes are scored
// against is the decoded source itself, so the storage loss does not enter the scores.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface QualitySource {
  name: string;
  description: string;
  /** The lavfi graph, given the clip length and a scratch directory for its inputs. */
  graph: (seconds: number, dir: string) => Promise<string>;
}

const SIZE = '1920x1080';
const RATE = 30;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export const QUALITY_SOURCES: readonly QualitySource[] = [
  {
    name: 'static',
    description: 'testsrc2 pattern: flat colours, sharp edges, little motion',
    graph: async (seconds) => `testsrc2=s=${SIZE}:r=${RATE}:d=${seconds}`,
  },
  {
    name: 'text',
    description: 'credits card: a screenful of white text scrolling up over a dark blue field',
    graph: async (seconds, dir) => {
      const lines = Array.from(
        { length: 80 },
        (_, i) =>
          `${['Director', 'Editor', 'Colourist', 'Sound', 'Grip'][i % 5]}  ·  Person ${i + 1}`,
      );
      const textFile = path.join(dir, 'credits.txt');
      await writeFile(textFile, lines.join('\n'));
      return (
        `color=c=0x101830:s=${SIZE}:r=${RATE}:d=${seconds},` +
        `drawtext=fontfile=${FONT}:textfile=${textFile}:fontsize=46:fontcolor=white:` +
        `line_spacing=22:x=(w-text_w)/2:y=60-t*120`
      );
    },
  },
  {
    name: 'mandelbrot',
    description:
      'mandelbrot zoom (rendered at 960x540, lanczos-scaled: 1080p renders at ~0.1× real time)',
    graph: async (seconds) =>
      `mandelbrot=s=960x540:r=${RATE}:maxiter=256:start_scale=1.5:end_scale=0.02:` +
      `end_pts=${seconds * RATE},trim=duration=${seconds},scale=${SIZE.replace('x', ':')}:flags=lanczos`,
  },
  {
    name: 'noise',
    description: 'testsrc2 panning diagonally under strong temporal noise',
    graph: async (seconds) =>
      `testsrc2=s=${SIZE}:r=${RATE}:d=${seconds},scroll=h=0.004:v=0.002,noise=alls=16:allf=t+u`,
  },
];

/** --quick: the two ends of the difficulty range. */
export const QUICK_SOURCES = ['static', 'noise'];

export async function generateSource(
  source: QualitySource,
  seconds: number,
  dir: string,
): Promise<string> {
  const target = path.join(dir, `${source.name}.mkv`);
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', await source.graph(seconds, dir),
    '-frames:v', String(seconds * RATE),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-pix_fmt', 'yuv420p',
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
    target,
  ]); // prettier-ignore
  return target;
}
