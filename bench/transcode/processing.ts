// The cost of tone mapping and deinterlacing, as a ratio against the same encode
// without it, side by side in one run:
//   node bench/transcode/run.ts --mode processing [--seconds 10] [--preset veryfast] [--repeat 2] [--keep]
//
// Sources (generated): a 1080p30 HDR10 (PQ) 10-bit HEVC clip, and a 1080i29.97 TFF
// H.264 MPEG-TS clip. Each case encodes the 1080p rendition with runRendition (the path a
// Kubernetes Job per rendition takes); only the plan's picture treatment differs:
//   tone map:     PQ → BT.709 (zscale + tonemap) vs the same source encoded untouched
//   deinterlace:  bwdif to field rate (59.94p, twice the frames to encode) and bwdif to
//                 frame rate (29.97p: the filter's own cost) vs no deinterlacing (29.97p)
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_COLOUR_SETTINGS,
  planLadder,
  runRendition,
  interlaceFromFieldOrder,
  type LadderPlan,
  type X264Preset,
} from '@videoforge/transcoder';
import { measureSample, medianSample, type Sample } from '../support/measure.ts';
import { benchTranscoderSettings, probeBenchSource } from '../support/transcoder.ts';

const run = promisify(execFile);

export interface ProcessingBenchArgs {
  seconds: number;
  preset: X264Preset;
  repeat: number;
  keep: boolean;
}

export async function processingBench(args: ProcessingBenchArgs): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-processing-'));
  const loadBefore = loadavg();
  try {
    process.stderr.write(`generating ${args.seconds} s 1080p HDR10 and 1080i clips in ${dir} …\n`);
    const hdr = path.join(dir, 'hdr10.mp4');
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=s=1920x1080:r=30:d=${args.seconds},noise=alls=4:allf=t`,
      '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,' +
        'setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709,' +
        'zscale=t=smpte2084:p=bt2020:m=bt2020nc:r=tv:npl=100,format=yuv420p10le',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1',
      '-x265-params', 'log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc',
      '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', hdr,
    ]); // prettier-ignore
    const interlaced = path.join(dir, 'broadcast.ts');
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=s=1920x1080:r=60000/1001:d=${args.seconds},noise=alls=4:allf=t`,
      '-vf', 'tinterlace=mode=interleave_top,setfield=tff',
      '-c:v', 'libx264', '-preset', 'veryfast', '-flags', '+ildct+ilme', '-x264-params', 'tff=1',
      '-b:v', '12M', '-output_ts_offset', '1.4', '-f', 'mpegts', interlaced,
    ]); // prettier-ignore

    const settings = benchTranscoderSettings({ preset: args.preset });
    const probe = probeBenchSource;
    const hdrInput = await probe(hdr);
    const interlacedInput = await probe(interlaced);
    const basePlan = (metadata: typeof hdrInput.metadata, rate?: 'field' | 'frame') =>
      planLadder(metadata, {
        keyframeIntervalSeconds: 2,
        maxFrameRate: 60,
        colour: DEFAULT_COLOUR_SETTINGS,
        interlace: rate ? interlaceFromFieldOrder(metadata.video.fieldOrder) : undefined,
        deinterlaceRate: rate ?? 'field',
      });
    const toneMapped = basePlan(hdrInput.metadata);
    const untouched: LadderPlan = {
      ...toneMapped,
      video: { ...toneMapped.video, colour: { kind: 'sdr', fromBt601: false } },
    };
    const cases: Array<{ label: string; input: typeof hdrInput; plan: LadderPlan }> = [
      { label: 'HDR10 → SDR, tone-mapped', input: hdrInput, plan: toneMapped },
      { label: 'HDR10, no tone mapping', input: hdrInput, plan: untouched },
      { label: '1080i, bwdif field rate (59.94p)', input: interlacedInput, plan: basePlan(interlacedInput.metadata, 'field') },
      { label: '1080i, bwdif frame rate (29.97p)', input: interlacedInput, plan: basePlan(interlacedInput.metadata, 'frame') },
      { label: '1080i, no deinterlacing (29.97p)', input: interlacedInput, plan: basePlan(interlacedInput.metadata) },
    ]; // prettier-ignore
    const samples = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
    for (let round = 0; round < args.repeat; round++) {
      // The order flips every round so neighbours' load does not favour one case.
      const ordered = round % 2 === 0 ? cases : [...cases].reverse();
      for (const testCase of ordered) {
        const workDir = path.join(dir, `work-${round}-${cases.indexOf(testCase)}`);
        await mkdir(workDir, { recursive: true });
        const rendition = testCase.plan.renditions[0];
        if (!rendition) throw new Error('no rendition');
        process.stderr.write(`round ${round + 1}: ${testCase.label} …\n`);
        samples.get(testCase.label)?.push(
          await measureSample(async () => {
            const outcome = await runRendition(
              { ...testCase.input, plan: testCase.plan, workDir, rendition: rendition },
              settings,
            );
            if (!outcome.ok) throw new Error(JSON.stringify(outcome.failure));
          }),
        );
        await rm(workDir, { recursive: true, force: true });
      }
    }
    const m = (label: string) => medianSample(samples.get(label) ?? []);
    const row = (label: string) => {
      const s = m(label);
      return `${label.padEnd(40)} ${s.wall.toFixed(2).padStart(8)} ${s.cpu.toFixed(2).padStart(8)}`;
    };
    const ratio = (label: string, a: string, b: string) => {
      const x = m(a);
      const y = m(b);
      return `  ${label.padEnd(38)} ${(x.wall / y.wall).toFixed(3).padStart(8)} ${(x.cpu / y.cpu).toFixed(3).padStart(8)}`;
    };
    console.log(
      `VideoForge picture-processing benchmark: ${args.seconds} s 1080p sources, 1080p rendition, x264 preset ${args.preset}, ${args.repeat} round(s), medians\n` +
        `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n`,
    );
    console.log(`${'case'.padEnd(40)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)}`);
    for (const testCase of cases) console.log(row(testCase.label));
    console.log(ratio('tone map / none', cases[0]?.label ?? '', cases[1]?.label ?? ''));
    console.log(ratio('bwdif field rate / none', cases[2]?.label ?? '', cases[4]?.label ?? ''));
    console.log(ratio('bwdif frame rate / none', cases[3]?.label ?? '', cases[4]?.label ?? ''));
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  }
}
