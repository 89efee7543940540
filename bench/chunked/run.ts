#!/usr/bin/env node
// Chunked-strategy benchmark, rerunnable:
//   node bench/chunked/run.ts [--seconds 600] [--preset veryfast] [--parallel 2,4,8] [--keep]
//
// In one run, on one generated 1080p30 clip with motion (testsrc2 moving under temporal
// noise, stereo AAC), with the transcoder's own services:
//   1. unchunked: the decode-once ladder (every default rendition the source fits, and its
//      audio), the reference;
//   2. per N in --parallel: the timeline cut into N chunks (contracts' planChunks), each
//      chunk run alone, one after the other, as if each had a pod to itself (its wall
//      time is what that pod would take), then the tracks workload, stitch and finalize;
//      then the same N chunks run at once on this machine.
// It reports, per N: total CPU (chunks + tracks + stitch) against the unchunked ladder;
// per-frame SSIM of the top rendition against the source on the frames either side of
// every chunk boundary, chunked against unchunked; segment count, duration and frame
// count against the unchunked ladder and the source; the A/V start offset and duration
// through the master playlist; wall time with N chunk processes at once here; and the
// derived N-pod speed-up = unchunked wall ÷ (slowest chunk + stitch).
// CPU is this process's own plus its reaped children's (ffmpeg/ffprobe). Linux only.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { planChunks, type Chunk } from '@videoforge/contracts';
import { createLocalStorage, type LocalStorage } from '@videoforge/platform/storage';
import {
  finalizeOutputs,
  parseMediaPlaylist,
  planChunkedLadder,
  stitchChunks,
  transcodeChunk,
  transcodeRenditions,
  transcodeTracks,
  X264_PRESETS,
  type SourceInput,
} from '@videoforge/transcoder';
import { parseBenchArgs } from '../support/bench-args.ts';
import { cpuSeconds, generatePhoneLikeClip } from '../support/measure.ts';
import { benchTranscoderSettings } from '../support/transcoder.ts';

const run = promisify(execFile);
const Args = z.object({
  seconds: z.coerce.number().int().min(12).max(3600).default(600),
  preset: z.enum(X264_PRESETS).default('veryfast'),
  parallel: z
    .string()
    .default('2,4,8')
    .transform((list) => list.split(',').map(Number))
    .pipe(z.array(z.number().int().min(1).max(64)).min(1)),
  /** Which N also run all their chunks at once here (a full encode each): `all`, `none` or a list. */
  concurrent: z
    .string()
    .default('all')
    .transform((list) =>
      list === 'all' ? undefined : list === 'none' ? [] : list.split(',').map(Number),
    )
    .pipe(z.array(z.number().int().min(1).max(64)).optional()),
  keep: z.boolean().default(false),
});
const args = parseBenchArgs(Args);
const SEGMENT_SECONDS = 6;

async function timed<T>(task: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const value = await task();
  return { value, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - cpu0 };
}

function must<T extends { status: string }>(outcome: T, what: string): T {
  if (outcome.status !== 'succeeded') throw new Error(`${what}: ${JSON.stringify(outcome)}`);
  return outcome;
}

/** CPU seconds of one bare ffmpeg run (a measured piece of a chunk's fixed cost). */
async function ffmpegCpu(argv: readonly string[]): Promise<number> {
  const sample = await timed(() =>
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...argv]),
  );
  return sample.cpu;
}

/**
 * What a chunk spends besides encoding its own frames, piece by piece (CPU-s):
 * - `probePlan`: the probe and ladder fit each chunk repeats (planChunkedLadder);
 * - `delayProbe`: the encoder reorder-delay probe (8 black 256×144 frames through x264);
 * - `startUp`: an ffmpeg that opens the source and decodes one frame;
 * - `preRoll`: the accurate seek's decode from the source keyframe before the chunk's
 *   first frame, summed over the chunks (a seek to the chunk start minus a seek to 0).
 */
async function chunkFixedCosts(
  clip: string,
  source: SourceInput,
  settings: Parameters<typeof planChunkedLadder>[1],
  startsSeconds: readonly number[],
): Promise<{ probePlan: number; delayProbe: number; startUp: number; preRoll: number }> {
  const probePlan = (await timed(() => planChunkedLadder({ source }, settings))).cpu;
  const delayProbe = await ffmpegCpu([
    '-f', 'lavfi', '-i', 'color=c=black:s=256x144:r=30', '-frames:v', '8',
    '-c:v', 'libx264', '-preset', settings.encoder.preset, '-g', '60', '-f', 'framecrc', '-y', '/dev/null',
  ]); // prettier-ignore
  const seekCpu = (seconds: number) =>
    ffmpegCpu([
      '-accurate_seek', '-ss', seconds.toFixed(6), '-i', clip, '-map', '0:v:0',
      '-frames:v', '1', '-f', 'null', '-',
    ]); // prettier-ignore
  const startUp = await seekCpu(0);
  let preRoll = 0;
  for (const start of startsSeconds)
    if (start > 0) preRoll += Math.max(0, (await seekCpu(start)) - startUp);
  return { probePlan, delayProbe, startUp, preRoll };
}

/** Per-frame SSIM (All) of a rendition against the source, in presentation order. */
async function ssimPerFrame(rendition: string, source: string, size: string): Promise<number[]> {
  const stats = `${rendition}.ssim.txt`;
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file',
    '-i', rendition, '-i', source,
    '-lavfi',
    `[0:v]setpts=PTS-STARTPTS,format=yuv420p[a];[1:v]setpts=PTS-STARTPTS,fps=30,scale=${size},format=yuv420p[b];[a][b]ssim=stats_file=${stats}`,
    '-f', 'null', '-',
  ], { maxBuffer: 64 * 1024 * 1024 }); // prettier-ignore
  const text = await readFile(stats, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(/All:([0-9.]+)/.exec(line)?.[1] ?? Number.NaN));
}

/** Start times of the first video and audio streams of a master playlist (ffprobe reads the first segments). */
async function streamTimes(master: string): Promise<{ video: number; audio: number }> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-protocol_whitelist', 'file', '-show_entries',
    'stream=codec_type,start_time,duration', '-of', 'json', master,
  ]); // prettier-ignore
  const streams = (
    JSON.parse(stdout) as {
      streams: Array<{ codec_type: string; start_time?: string }>;
    }
  ).streams;
  const of = (type: string) => {
    const s = streams.find((x) => x.codec_type === type);
    return Number(s?.start_time ?? Number.NaN);
  };
  return { video: of('video'), audio: of('audio') };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-chunked-'));
  const load = loadavg();
  try {
    process.stderr.write(`generating a ${args.seconds} s 1080p30 clip with motion in ${dir} …\n`);
    const clip = path.join(dir, 'source.mp4');
    await generatePhoneLikeClip(clip, args.seconds);
    const defaults = benchTranscoderSettings({ preset: args.preset });
    const settings = {
      ...defaults,
      encoder: { ...defaults.encoder, segmentSeconds: SEGMENT_SECONDS },
      timeoutMs: 7_200_000,
    };
    const source: SourceInput = { kind: 'file', path: clip, protocols: ['file'] };
    const storage: LocalStorage = createLocalStorage({
      rootDir: path.join(dir, 'storage'),
      publicBaseUrl: 'http://127.0.0.1:9/api/storage',
      signingSecret: 'bench-secret-0123456789abcdef0123456789',
    });
    const workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    const deps = { settings, storage, workRoot };
    const planned = await planChunkedLadder({ source }, settings);
    if (!planned.ok) throw new Error(planned.failure.message);
    const { metadata, plan } = planned.ladder;
    const top = plan.renditions[0];
    if (!top) throw new Error('no rendition');
    const file = (key: string) => storage.filePath(key);
    const segmentsOf = async (prefix: string) =>
      parseMediaPlaylist(await readFile(file(`${prefix}${top.name}/index.m3u8`), 'utf8')).segments;

    process.stderr.write('unchunked ladder …\n');
    const unchunked = await timed(async () =>
      must(
        await transcodeRenditions(
          { jobId: 'u', source, outputPrefix: 'videos/output/u/', strategy: 'ladder' },
          deps,
        ),
        'unchunked ladder',
      ),
    );
    const refSegments = await segmentsOf('videos/output/u/');
    must(
      await finalizeOutputs({ jobId: 'u', source, outputPrefix: 'videos/output/u/' }, deps),
      'unchunked finalize',
    );
    const refAv = await streamTimes(file('videos/output/u/master.m3u8'));
    const size = `${top.width}:${top.height}`;
    const refSsim = await ssimPerFrame(
      file('videos/output/u/' + top.name + '/index.m3u8'),
      clip,
      size,
    );

    const results = [];
    for (const n of args.parallel) {
      const job = `c${n}`;
      const prefix = `videos/output/${job}/`;
      const chunks = planChunks({
        durationSeconds: metadata.durationSeconds,
        segmentSeconds: SEGMENT_SECONDS,
        maxParallel: n,
      });
      const segmentFrames = plan.gopFrames * (SEGMENT_SECONDS / settings.keyframeIntervalSeconds);
      const runChunk = (chunk: Chunk, jobId: string, outputPrefix: string) =>
        transcodeChunk(
          { jobId, source, outputPrefix, chunk: { ...chunk, segmentSeconds: SEGMENT_SECONDS } },
          deps,
        );
      process.stderr.write(`N=${n}: ${chunks.length} chunks, one at a time …\n`);
      const alone = [];
      for (const chunk of chunks)
        alone.push(
          await timed(async () => must(await runChunk(chunk, job, prefix), `chunk ${chunk.index}`)),
        );
      const tracks = await timed(async () =>
        must(await transcodeTracks({ jobId: job, source, outputPrefix: prefix }, deps), 'tracks'),
      );
      const stitch = await timed(async () =>
        must(
          await stitchChunks(
            { jobId: job, source, outputPrefix: prefix, chunks: chunks.length },
            deps,
          ),
          'stitch',
        ),
      );
      must(await finalizeOutputs({ jobId: job, source, outputPrefix: prefix }, deps), 'finalize');

      process.stderr.write(`N=${n}: checking …\n`);
      const segments = await segmentsOf(prefix);
      const ssim = await ssimPerFrame(file(`${prefix}${top.name}/index.m3u8`), clip, size);
      const boundaryFrames = chunks
        .slice(1)
        .flatMap((c) => [-2, -1, 0, 1, 2].map((d) => c.startSegment * segmentFrames + d))
        .filter((f) => f >= 0 && f < ssim.length);
      const boundaryDiffs = boundaryFrames.map((f) => (ssim[f] ?? 0) - (refSsim[f] ?? 0));
      const av = await streamTimes(file(`${prefix}master.m3u8`));
      const audioPlaylist = (await storage.list(`${prefix}tracks/`)).objects
        .map((o) => o.key)
        .find((key) => key.endsWith('.m3u8'));
      const audioSeconds = audioPlaylist
        ? parseMediaPlaylist(await readFile(file(audioPlaylist), 'utf8')).segments.reduce(
            (sum, x) => sum + x.durationSeconds,
            0,
          )
        : Number.NaN;

      const together = (args.concurrent ?? args.parallel).includes(n)
        ? await timed(async () => {
            process.stderr.write(`N=${n}: ${chunks.length} chunks at once on this machine …\n`);
            const outcomes = await Promise.all(
              chunks.map((chunk) => runChunk(chunk, `${job}p`, `videos/output/${job}p/`)),
            );
            outcomes.forEach((o, i) => must(o, `concurrent chunk ${i}`));
          })
        : undefined;

      const fps = plan.frameRate.num / plan.frameRate.den;
      // A broken piece of accounting must not cost the run: it reports zeros and says why.
      const fixed = await chunkFixedCosts(
        clip,
        source,
        settings,
        chunks.map((c) => (c.startSegment * segmentFrames) / fps),
      ).catch((error: unknown) => {
        process.stderr.write(`N=${n}: fixed-cost accounting failed: ${String(error)}\n`);
        return { probePlan: 0, delayProbe: 0, startUp: 0, preRoll: 0 };
      });
      const chunksCpu = alone.reduce((sum, c) => sum + c.cpu, 0);
      const fixedCpu =
        chunks.length * (fixed.probePlan + fixed.delayProbe + fixed.startUp) + fixed.preRoll;
      const cpu = chunksCpu + tracks.cpu + stitch.cpu;
      const slowest = Math.max(...alone.map((c) => c.wall));
      results.push({
        n,
        chunks: chunks.length,
        cpuSeconds: round(cpu),
        cpuVsUnchunked: round(cpu / unchunked.cpu, 3),
        // Where the CPU went: the chunks' encodes net of their measured fixed costs, the
        // fixed costs themselves, the audio (inside the unchunked ladder's own ffmpeg) and stitch.
        cpuBreakdown: {
          chunkEncodes: round(chunksCpu - fixedCpu),
          chunkFixed: round(fixedCpu),
          perChunkFixed: {
            probePlan: round(fixed.probePlan, 2),
            delayProbe: round(fixed.delayProbe, 2),
            startUp: round(fixed.startUp, 2),
            preRollAllChunks: round(fixed.preRoll, 2),
          },
          tracks: round(tracks.cpu),
          stitch: round(stitch.cpu),
        },
        chunkWallSeconds: alone.map((c) => round(c.wall)),
        tracksWallSeconds: round(tracks.wall),
        stitchWallSeconds: round(stitch.wall),
        derivedSpeedUp: round(unchunked.wall / (slowest + stitch.wall), 2),
        // The same quotient in CPU-seconds: what a pod with the unchunked ladder's cores
        // would take, whatever else shares this machine (its load moves wall times, not
        // the work a process does). Same encoder, same thread count, so the same
        // parallel efficiency; docs/operator.md, "Chunked benchmark".
        chunkCpuSeconds: alone.map((c) => round(c.cpu)),
        derivedSpeedUpFromCpu: round(
          unchunked.cpu / (Math.max(...alone.map((c) => c.cpu)) + stitch.cpu),
          2,
        ),
        speedUpGoal: round(0.8 * n, 2),
        concurrentWallSecondsHere: together ? round(together.wall) : null,
        segments: segments.length,
        segmentsUnchunked: refSegments.length,
        durationSeconds: round(
          segments.reduce((s, x) => s + x.durationSeconds, 0),
          3,
        ),
        durationUnchunked: round(
          refSegments.reduce((s, x) => s + x.durationSeconds, 0),
          3,
        ),
        sourceDurationSeconds: round(metadata.durationSeconds, 3),
        frames: ssim.length,
        framesUnchunked: refSsim.length,
        boundarySsimMin: round(Math.min(...boundaryFrames.map((f) => ssim[f] ?? 1)), 4),
        boundarySsimMinUnchunked: round(Math.min(...boundaryFrames.map((f) => refSsim[f] ?? 1)), 4),
        boundarySsimWorstDiff: round(Math.min(0, ...boundaryDiffs), 4),
        meanSsim: round(mean(ssim), 4),
        meanSsimUnchunked: round(mean(refSsim), 4),
        avStartOffsetSeconds: round(av.video - av.audio, 4),
        avStartOffsetUnchunkedSeconds: round(refAv.video - refAv.audio, 4),
        audioDurationSeconds: round(audioSeconds, 3),
      });
      // Each N's figures as soon as they exist, so a run cut short still reports them.
      process.stderr.write(`N=${n}: ${JSON.stringify(results.at(-1))}\n`);
      await storage.deletePrefix(`videos/output/${job}p/`);
    }

    const summary = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: load },
      command: `node bench/chunked/run.ts --seconds ${args.seconds} --preset ${args.preset} --parallel ${args.parallel.join(',')}`,
      source: `${args.seconds} s 1080p30 testsrc2 + temporal noise, stereo AAC`,
      renditions: plan.renditions.map((r) => r.name),
      unchunked: { wallSeconds: round(unchunked.wall), cpuSeconds: round(unchunked.cpu) },
      chunked: results,
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
}

await main();
