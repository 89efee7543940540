#!/usr/bin/env node
// The figure a user waits for, rerunnable:
//   node bench/e2e/run.ts [--seconds 60] [--long] [--repeat 3] [--preset veryfast] [--keep]
//
// In one run, on one generated 1080p30 clip with stereo audio (60 s; 10 minutes with --long):
//   1. VideoForge as `npm start` runs it (embedded PostgreSQL, local storage, a temporary
//      data directory): register, upload, then from upload complete until a player could
//      start (playable: the master, a variant with a segment, that segment and its init
//      segment all answer, asked every 0.5 s) and until the job's `succeeded` event (done);
//   2. what a user would type by hand instead: one bare ffmpeg that decodes once and
//      writes the same outputs (the same renditions, x264 preset, bit rates, GOP, 6 s fMP4 HLS
//      segments and a progressive MP4 per rendition through tee, one AAC rendition, the poster
//      and the seek sprite).
// Rounds alternate bare and platform, so drift on a shared machine hits both alike. CPU is
// the kernel's accounting: the bare ffmpeg is this process's reaped child; the platform is
// its whole process tree (API, PostgreSQL, transcoder children, ffmpeg).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HLS from 'hls-parser';
import { z } from 'zod';
import {
  DEFAULT_PROBE_LIMITS,
  planLadder,
  planPoster,
  planSprite,
  probeSource,
  X264_PRESETS,
  type LadderPlan,
} from '@videoforge/transcoder';
import type { MediaMetadata, UploadCreateResponse } from '@videoforge/contracts';
import { freePort } from '../../test/support/free-port.ts';
import { startProcess, waitUntil, type StartedProcess } from '../../test/support/process.ts';
import { serverSentEvents } from '../../test/support/server-sent-events.ts';
import { parseBenchArgs } from '../support/bench-args.ts';
import { cpuSeconds, generatePhoneLikeClip, treeCpuSeconds, median } from '../support/measure.ts';

const Args = z.object({
  seconds: z.coerce.number().int().min(5).max(3600).optional(),
  long: z.boolean().default(false),
  repeat: z.coerce.number().int().min(1).max(10).optional(),
  preset: z.enum(X264_PRESETS).default('veryfast'),
  keep: z.boolean().default(false),
});
const parsed = parseBenchArgs(Args);
const args = {
  ...parsed,
  seconds: parsed.seconds ?? (parsed.long ? 600 : 60),
  repeat: parsed.repeat ?? (parsed.long ? 1 : 3),
};

const MAIN = fileURLToPath(new URL('../../all-in-one/src/main.ts', import.meta.url));
const SEGMENT_SECONDS = 6;
const KEYFRAME_SECONDS = 2;

interface PlatformSample {
  playable: number;
  done: number;
  /** Seconds after upload complete: where the wait went (see phasesOf). */
  phases: Record<string, number>;
  cpu: number;
  /** Of cpu: the API and controller process, its transcoder children (with ffmpeg), PostgreSQL. */
  split: { own: number; reaped: number; others: number };
}
interface BareSample {
  wall: number;
  cpu: number;
}

/**
 * The bare ffmpeg a user would write: one decode, a split per rendition plus the poster and
 * sprite branches, each rendition's x264 output teed into fMP4 HLS and an MP4, audio once.
 */
function bareCommand(
  source: string,
  metadata: MediaMetadata,
  plan: LadderPlan,
  preset: string,
  out: string,
): string[] {
  const renditions = plan.renditions;
  const poster = planPoster(metadata);
  const sprite = planSprite(metadata);
  const gop = String(plan.gopFrames);
  const fps = `${plan.frameRate.num}/${plan.frameRate.den}`;
  const labels = renditions.map((_, i) => `[s${i}]`).join('');
  const graph = [
    `[0:v]fps=${fps},split=${renditions.length + 2}${labels}[p][t]`,
    ...renditions.map(
      (r, i) => `[s${i}]scale=${r.width}:${r.height},setsar=1,format=yuv420p[v${i}]`,
    ),
    `[p]trim=start=${poster.seekSeconds}:duration=3,thumbnail=${poster.windowFrames},scale=${poster.width}:${poster.height},format=yuvj420p[poster]`,
    `[t]fps=1/${sprite.intervalSeconds},scale=${sprite.thumbWidth}:${sprite.thumbHeight},tile=${sprite.columns}x${sprite.rows},format=yuvj420p[sprite]`,
  ].join(';');
  const hls = (dir: string) =>
    `f=hls:hls_time=${SEGMENT_SECONDS}:hls_playlist_type=vod:hls_segment_type=fmp4:hls_segment_filename=${dir}/segment-%05d.m4s:hls_flags=independent_segments`;
  const argv = ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, '-filter_complex', graph];
  renditions.forEach((r, i) => {
    const dir = path.join(out, r.name);
    argv.push(
      '-map', `[v${i}]`, '-c:v', 'libx264', '-preset', preset, '-profile:v', 'high',
      '-b:v', `${r.videoBitrateKbps}k`, '-maxrate', `${r.maxrateKbps}k`, '-bufsize', `${r.bufsizeKbps}k`,
      '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-an', '-flags', '+global_header',
      '-f', 'tee', `[${hls(dir)}]${dir}/index.m3u8|[f=mp4:movflags=+faststart]${dir}/${r.name}.mp4`,
    ); // prettier-ignore
  });
  const audio = path.join(out, 'audio');
  argv.push(
    '-map', '0:a:0', '-c:a', 'aac', '-b:a', `${plan.audio?.bitrateKbps ?? 128}k`, '-ac', '2',
    '-vn', '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4', '-hls_segment_filename', `${audio}/segment-%05d.m4s`, `${audio}/index.m3u8`,
    '-map', '[poster]', '-frames:v', '1', '-q:v', '3', '-update', '1', path.join(out, 'poster.jpg'),
    '-map', '[sprite]', '-frames:v', '1', '-q:v', '5', '-update', '1', path.join(out, 'sprite.jpg'),
  ); // prettier-ignore
  return argv;
}

async function runBare(argv: string[], out: string, dirs: string[]): Promise<BareSample> {
  await rm(out, { recursive: true, force: true });
  for (const dir of dirs) await mkdir(path.join(out, dir), { recursive: true });
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', argv, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bare ffmpeg exited with ${code}`)),
    );
  });
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - cpu0 };
}

interface Platform {
  process: StartedProcess;
  baseUrl: string;
}

/** `npm start` as a user runs it, on its embedded defaults, in a directory of its own. */
async function startPlatform(dir: string, preset: string): Promise<Platform> {
  await mkdir(path.join(dir, 'work'), { recursive: true });
  const started = startProcess(process.execPath, [MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      HOST: '127.0.0.1',
      PORT: '0',
      EMBEDDED_PG_DATA_DIR: path.join(dir, 'postgres'),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOCAL_STORAGE_DIR: path.join(dir, 'storage'),
      TRANSCODE_WORK_DIR: path.join(dir, 'work'),
      TRANSCODE_PRESET: preset,
      LOG_LEVEL: 'info',
    },
  });
  let baseUrl = '';
  await waitUntil(
    async () => {
      baseUrl = /VideoForge is running at (http:\/\/[0-9.:]+)/.exec(started.output())?.[1] ?? '';
      if (started.child.exitCode !== null) throw new Error('exited');
      return baseUrl !== '';
    },
    { timeoutMs: 120_000, describe: () => started.output().slice(-4000) },
  );
  if (!baseUrl) throw new Error(`all-in-one did not start:\n${started.output().slice(-4000)}`);
  return { process: started, baseUrl };
}

async function api<T>(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** How often the bench asks, as a player waiting on a processing video would. */
const PLAYABLE_POLL_MS = 500;

/**
 * Whether a player could start now: the master playlist answers, its first variant's
 * media playlist lists at least one segment, and that segment (and the init segment)
 * can be read: exactly the requests hls.js makes before the first frame.
 */
async function playerCouldStart(baseUrl: string, token: string, videoId: string): Promise<boolean> {
  const get = (url: string) =>
    fetch(url, url.startsWith(baseUrl) ? { headers: { Authorization: `Bearer ${token}` } } : {});
  const masterUrl = `${baseUrl}/api/stream/${videoId}/master.m3u8`;
  const master = await get(masterUrl);
  if (!master.ok) return false;
  const parsed = HLS.parse(await master.text());
  if (!parsed.isMasterPlaylist || parsed.variants.length === 0) return false;
  const variantUrl = new URL(parsed.variants[0]!.uri, masterUrl).href;
  const variant = await get(variantUrl);
  if (!variant.ok) return false;
  const media = HLS.parse(await variant.text());
  if (media.isMasterPlaylist || media.segments.length === 0) return false;
  const first = media.segments[0]!;
  const needed = [first.uri, ...(first.map ? [first.map.uri] : [])];
  const reads = await Promise.all(
    needed.map(async (uri) => {
      const response = await get(new URL(uri, variantUrl).href);
      await response.arrayBuffer();
      return response.ok;
    }),
  );
  return reads.every(Boolean);
}

/**
 * Follows the job on the event stream, as the web app does, until its `succeeded` event;
 * meanwhile asks every PLAYABLE_POLL_MS whether a player could start (see
 * playerCouldStart), as a player on the video page would. Resolves with when playback
 * could first start and when the job was done.
 */
async function followJob(
  baseUrl: string,
  token: string,
  target: { jobId?: string; videoId?: string },
): Promise<{ playableAt: number; doneAt: number; firstProgressAt: number }> {
  const response = await fetch(`${baseUrl}/api/events`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
  });
  let playableAt = 0;
  let firstProgressAt = 0;
  let done = false;
  const polling = (async () => {
    while (!done && !playableAt) {
      if (target.videoId && (await playerCouldStart(baseUrl, token, target.videoId)))
        playableAt = performance.now();
      else await new Promise((resolve) => setTimeout(resolve, PLAYABLE_POLL_MS));
    }
  })();
  try {
    for await (const { event, data } of serverSentEvents(
      response.body as AsyncIterable<Uint8Array>,
    )) {
      const job = data as { jobId?: string; status?: string; progress?: number };
      if (event !== 'job' || !target.jobId || job.jobId !== target.jobId) continue;
      if (!firstProgressAt && (job.progress ?? 0) > 0) firstProgressAt = performance.now();
      if (job.status === 'failed') throw new Error(`the job failed: ${JSON.stringify(data)}`);
      if (job.status === 'succeeded') {
        const doneAt = performance.now();
        done = true;
        await polling;
        // A job done before the first poll answered is playable when it is done.
        return { playableAt: playableAt || doneAt, doneAt, firstProgressAt };
      }
    }
  } finally {
    done = true;
  }
  throw new Error('the event stream ended before the job succeeded');
}

/** PUTs the file (whole, or part by part): the browser's share of an upload. */
async function sendBytes(
  upload: UploadCreateResponse,
  clip: Buffer,
): Promise<Array<{ partNumber: number; etag: string }> | undefined> {
  const put = async (url: string, body: Buffer) => {
    const response = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'video/mp4' },
    });
    if (!response.ok) throw new Error(`upload PUT: ${response.status}`);
    return response.headers.get('etag') ?? '';
  };
  if (upload.mode === 'single') {
    await put(upload.url, clip);
    return undefined;
  }
  const parts = [];
  for (const part of upload.parts) {
    const start = (part.partNumber - 1) * upload.partSize;
    const etag = await put(part.url, clip.subarray(start, start + upload.partSize));
    parts.push({ partNumber: part.partNumber, etag });
  }
  return parts;
}

async function runPlatform(
  platform: Platform,
  clip: Buffer,
  round: number,
): Promise<PlatformSample> {
  const { baseUrl } = platform;
  const { accessToken } = await api<{ accessToken: string }>(
    baseUrl,
    'POST',
    '/api/auth/register',
    {
      username: `bench${round}`,
      email: `bench${round}@example.com`,
      password: 'Bench!pass-1234',
    },
  );
  const upload = await api<UploadCreateResponse>(
    baseUrl,
    'POST',
    '/api/uploads',
    { filename: 'clip.mp4', size: clip.length, contentType: 'video/mp4', title: `Bench ${round}` },
    accessToken,
  );
  const parts = await sendBytes(upload, clip);

  // Listening before completing, so no event can be missed.
  const awaited: { jobId?: string; videoId?: string } = {};
  const followed = followJob(baseUrl, accessToken, awaited);
  const pgid = platform.process.child.pid ?? 0;
  const cpu0 = treeCpuSeconds(pgid);
  const t0 = performance.now();
  const wallT0 = Date.now();
  const completed = await api<{ video: { id: string }; job: { id: string } }>(
    baseUrl,
    'POST',
    `/api/uploads/${upload.uploadId}/complete`,
    parts ? { parts } : {},
    accessToken,
  );
  awaited.jobId = completed.job.id;
  awaited.videoId = completed.video.id;
  const { playableAt, doneAt, firstProgressAt } = await followed;
  return {
    playable: (playableAt - t0) / 1000,
    done: (doneAt - t0) / 1000,
    phases: {
      ...stepStarts(platform.process.output(), wallT0),
      firstProgress: firstProgressAt ? (firstProgressAt - t0) / 1000 : Number.NaN,
      playable: (playableAt - t0) / 1000,
      done: (doneAt - t0) / 1000,
    },
    ...cpuSince(cpu0, treeCpuSeconds(pgid)),
  };
}

/**
 * When the local controller spawned each step's transcoder (its `started local workload`
 * log lines, by workload type), in seconds after `since`: with the first progress event,
 * playable and done, this says where the wait went (start-up, encode, quality and uploads
 * before finalize, finalize).
 */
function stepStarts(log: string, since: number): Record<string, number> {
  const starts: Record<string, number> = {};
  for (const line of log.split('\n')) {
    if (!line.includes('"started local workload"')) continue;
    const entry = z.object({ time: z.string(), workload: z.string() }).safeParse(JSON.parse(line));
    if (!entry.success) continue;
    const at = (Date.parse(entry.data.time) - since) / 1000;
    const step = entry.data.workload.replace(/^job-\d+-/, '');
    if (at >= 0 && starts[`${step}Spawned`] === undefined) starts[`${step}Spawned`] = at;
  }
  return starts;
}

function cpuSince(
  before: PlatformSample['split'],
  after: PlatformSample['split'],
): Pick<PlatformSample, 'cpu' | 'split'> {
  const split = {
    own: after.own - before.own,
    reaped: after.reaped - before.reaped,
    others: after.others - before.others,
  };
  return { cpu: split.own + split.reaped + split.others, split };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-e2e-'));
  const load = loadavg()[0]?.toFixed(2);
  let platform: Platform | undefined;
  try {
    process.stderr.write(`generating a ${args.seconds} s 1080p30 clip in ${dir} …\n`);
    const clipPath = path.join(dir, 'source.mp4');
    await generatePhoneLikeClip(clipPath, args.seconds);
    const clip = await readFile(clipPath);
    const probed = await probeSource(
      { kind: 'file', path: clipPath, protocols: ['file'] },
      { ffprobePath: 'ffprobe', timeoutMs: 60_000, limits: DEFAULT_PROBE_LIMITS },
    );
    if (!probed.ok) throw new Error(probed.reason.message);
    const plan = planLadder(probed.metadata, { keyframeIntervalSeconds: KEYFRAME_SECONDS });
    const bareOut = path.join(dir, 'bare');
    const argv = bareCommand(clipPath, probed.metadata, plan, args.preset, bareOut);
    const dirs = [...plan.renditions.map((r) => r.name), 'audio'];

    process.stderr.write('starting the all-in-one (npm start) …\n');
    platform = await startPlatform(path.join(dir, 'platform'), args.preset);

    const bare: BareSample[] = [];
    const forge: PlatformSample[] = [];
    for (let round = 1; round <= args.repeat; round++) {
      bare.push(await runBare(argv, bareOut, dirs));
      forge.push(await runPlatform(platform, clip, round));
      process.stderr.write(
        `round ${round}: bare ${bare.at(-1)?.wall.toFixed(1)} s; VideoForge playable ${forge.at(-1)?.playable.toFixed(1)} s, done ${forge.at(-1)?.done.toFixed(1)} s; phases (s after upload complete) ${Object.entries(
          forge.at(-1)?.phases ?? {},
        )
          .map(([name, at]) => `${name} ${at.toFixed(1)}`)
          .join(', ')}\n`,
      );
    }
    const m = {
      bare: median(bare.map((s) => s.wall)),
      bareCpu: median(bare.map((s) => s.cpu)),
      playable: median(forge.map((s) => s.playable)),
      done: median(forge.map((s) => s.done)),
      cpu: median(forge.map((s) => s.cpu)),
      own: median(forge.map((s) => s.split.own)),
      reaped: median(forge.map((s) => s.split.reaped)),
      others: median(forge.map((s) => s.split.others)),
    };
    const lines = [
      `VideoForge end to end: ${args.seconds} s 1080p30 source with stereo AAC, renditions ${plan.renditions.map((r) => r.name).join('/')}, x264 ${args.preset}, median of ${args.repeat} round(s), ${availableParallelism()} cores, load ${load} at start`,
      '',
      '| path | wall s | CPU s | ÷ bare ffmpeg (wall) |',
      '| --- | ---: | ---: | ---: |',
      `| bare ffmpeg, one command | ${m.bare.toFixed(1)} | ${m.bareCpu.toFixed(1)} | 1.00× |`,
      `| VideoForge: upload complete → playable | ${m.playable.toFixed(1)} | | ${(m.playable / m.bare).toFixed(2)}× |`,
      `| VideoForge: upload complete → done | ${m.done.toFixed(1)} | ${m.cpu.toFixed(1)} | ${(m.done / m.bare).toFixed(2)}× |`,
      '',
      `CPU ratio (VideoForge ÷ bare): ${(m.cpu / m.bareCpu).toFixed(2)}×; VideoForge's CPU s: transcoder processes and their ffmpeg ${m.reaped.toFixed(1)}, API + controller ${m.own.toFixed(1)}, PostgreSQL ${m.others.toFixed(1)}`,
      // What the platform does beyond the bare command, inside its "done".
      'VideoForge also (not in bare): sampled SSIM/PSNR per H.264 rendition (TRANSCODE_QUALITY_METRICS), audio muxed into each progressive MP4, the outputs checked with ffprobe and uploaded',
      `load at end ${loadavg()[0]?.toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ args, bare, forge, median: m })}\n`);
  } finally {
    await platform?.process.stop();
    if (!args.keep) await rm(dir, { recursive: true, force: true });
    else {
      await writeFile(path.join(dir, 'platform.log'), platform?.process.output() ?? '');
      process.stderr.write(`kept ${dir} (the platform's log tail in platform.log)\n`);
    }
  }
}

await main();
