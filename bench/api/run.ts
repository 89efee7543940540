/**
 * bench/api — latency of the two hottest read paths, the public gallery list and a
 * job's status, under a fixed request rate (open loop: requests are sent on schedule
 * whether or not earlier ones finished, so slow responses cannot hide queueing).
 *
 *   node bench/api/run.ts [--rate 200] [--seconds 10] [--videos 2000]
 *
 * Starts its own embedded PostgreSQL in a temporary directory and the real API
 * process (api/src/main.ts) against it, seeds videos and jobs, then reports
 * p50/p90/p99/max per route and the rate actually achieved.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectDatabase, createLogger } from '@videoforge/platform';
import { startScratchPostgres } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import { waitUntil } from '../../test/support/process.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    videos: { type: 'string', default: '2000' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const videoCount = Number(values.videos);

const log = createLogger({ service: 'bench', level: 'warn' });
const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-api-'));
const pg = await startScratchPostgres(path.join(dir, 'pg'), log);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const api = spawn(
  process.execPath,
  [fileURLToPath(new URL('../../api/src/main.ts', import.meta.url))],
  {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: pg.url,
      PORT: String(port),
      LOCAL_STORAGE_DIR: path.join(dir, 'storage'),
      LOG_LEVEL: 'warn',
      OUTBOX_RELAY_ENABLED: 'false',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);

try {
  await waitUntil(async () => (await fetch(`${base}/readyz`)).ok, {
    timeoutMs: 60_000,
    describe: () => 'API did not become ready',
  });
  const registered = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      username: 'bench',
      email: 'bench@example.com',
      password: 'Bench!pass1',
    }),
  });
  const { accessToken, user } = (await registered.json()) as {
    accessToken: string;
    user: { id: string };
  };

  const sql = connectDatabase({ url: pg.url, max: 2, logger: log });
  await sql`
    INSERT INTO gallery_videos (user_id, title, description, visibility, status, source_key, duration_seconds, width, height, created_at)
    SELECT ${user.id}, 'Video ' || i, 'seeded description ' || i, CASE WHEN i % 5 = 0 THEN 'private' ELSE 'public' END, 'ready',
           'videos/raw/' || ${user.id} || '/seed/' || i || '.mp4', 10 + i % 600, 1920, 1080, now() - (i || ' minutes')::interval
    FROM generate_series(1, ${videoCount}) AS i`;
  const [job] = await sql<{ id: string }[]>`
    INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
    SELECT ${user.id}, id, 'running', 40, ARRAY['1080p','720p','360p'], source_key, 'videos/output/x/' FROM gallery_videos LIMIT 1
    RETURNING id`;
  await sql`ANALYZE`;
  await sql.end();

  const scenarios = [
    {
      name: 'GET /api/videos?page=1&pageSize=20',
      url: `${base}/api/videos?page=1&pageSize=20`,
      headers: {},
    },
    {
      name: 'GET /api/videos?q=Video 12&sort=title',
      url: `${base}/api/videos?q=${encodeURIComponent('Video 12')}&sort=title&order=asc`,
      headers: {},
    },
    {
      name: 'GET /api/jobs/:id',
      url: `${base}/api/jobs/${job!.id}`,
      headers: { Authorization: `Bearer ${accessToken}` },
    },
  ];
  console.log(
    `bench/api: ${rate} req/s for ${seconds} s per route, ${videoCount} videos, Node ${process.version}`,
  );
  for (const scenario of scenarios) {
    // Warm up connections and the query plan.
    for (let i = 0; i < 300; i++)
      await (await fetch(scenario.url, { headers: scenario.headers })).arrayBuffer();
    const latencies: number[] = [];
    let errors = 0;
    const total = rate * seconds;
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        (async () => {
          // Latency is measured from when the request was due, not when it was sent (no coordinated omission).
          try {
            const response = await fetch(scenario.url, { headers: scenario.headers });
            await response.arrayBuffer();
            if (!response.ok) errors++;
          } catch {
            errors++;
          }
          latencies.push(performance.now() - due);
        })(),
      );
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      (
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
      ).toFixed(1);
    console.log(
      `${scenario.name.padEnd(40)} achieved ${(total / elapsed).toFixed(0)} req/s  p50 ${pct(50)} ms  p90 ${pct(90)} ms  p99 ${pct(99)} ms  max ${pct(100)} ms  errors ${errors}`,
    );
  }
} finally {
  api.kill('SIGTERM');
  await new Promise((resolve) => api.once('exit', resolve));
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
