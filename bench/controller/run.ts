/**
 * bench/controller — the operator as its image runs it, against real servers: how fast
 * it reconciles TranscodeJobs into Jobs, and how much memory it holds with many of them.
 *
 *   node bench/controller/run.ts [--count 5000] [--throughput-count 500] [--untuned] [--unbundled]
 *                                [--node-option=--flag ...] [--env NAME=VALUE ...]
 *
 * Starts its own control plane (scripts/kube/build.sh must have run; no node, so Jobs are
 * created, not run), embedded PostgreSQL and moto (scripts/ci/install-moto.sh). The
 * controller is deploy/docker/controller.Dockerfile's ENTRYPOINT with its ENV: the bundle
 * scripts/bundle.ts builds, its Node flags and malloc settings. Each job gets its rows in
 * Postgres, as the API writes them, and its TranscodeJob exactly as intake builds it
 * (created here, 32 at a time, rather than through SQS: moto's queue slows down as it
 * grows, which real SQS does not). The controller does the rest: the Job, the status,
 * and the status mirrored back to Postgres.
 *
 * Reconciled per second: from the first TranscodeJob created until every one has its Job
 * and a status; for the first --throughput-count, and sustained over all of them. Memory: the controller's resident set read from /proc, without forcing a
 * garbage collection, once settled with every object cached; and its peak.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { connectDatabase, createLogger } from '@videoforge/platform';
import { startScratchPostgres } from '../../test/support/database.ts';
import { migrate } from '@videoforge/platform/database';
import { transcodeJobFor, type JobRow } from '../../controller/src/intake/transcode-job.factory.ts';
import { bundleService } from '../../scripts/bundle.ts';
import { startControlPlane } from '../../test/kube/control-plane.ts';
import { createTestAws } from '../../test/support/aws.ts';
import { readDockerfile } from '../../test/support/dockerfile.ts';
import { freePort } from '../../test/support/free-port.ts';
import { waitUntil } from '../../test/support/process.ts';
import { findMotoServer, startMoto } from '../../test/servers/moto.server.ts';
import { apiserverRequests, requestsPer } from './apiserver-requests.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    'throughput-count': { type: 'string', default: '500' },
    /** Without the image's Node flags and malloc settings. */
    untuned: { type: 'boolean', default: false },
    /** controller/src/main.ts as `npm run controller` runs it, instead of the bundle. */
    unbundled: { type: 'boolean', default: false },
    /** Extra Node.js flags for the controller, after the image's. */
    'node-option': { type: 'string', multiple: true, default: [] },
    /** Extra controller settings, NAME=VALUE (e.g. RECONCILE_WORKERS=8). */
    env: { type: 'string', multiple: true, default: [] },
  },
});
const total = Number(values.count);
const throughputCount = Math.min(Number(values['throughput-count']), total);
const namespace = 'bench';
const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs', namespace };
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MB = 1024 * 1024;

const moto = findMotoServer();
if ('missing' in moto) throw new Error(moto.missing);
const dir = await mkdtemp(path.join(tmpdir(), 'vf-bench-controller-'));
const log = createLogger({ service: 'bench', level: 'warn' });
const [plane, pg, motoServer] = await Promise.all([
  startControlPlane(),
  startScratchPostgres(path.join(dir, 'pg'), log),
  startMoto(moto.path),
]);
const aws = await createTestAws(motoServer.endpoint);
const sql = connectDatabase({ url: pg.url, max: 4, logger: log });
await migrate(sql, { logger: log });

const kc = new KubeConfig();
kc.loadFromFile(plane.kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const batch = kc.makeApiClient(BatchV1Api);
await core.createNamespace({ body: { metadata: { name: namespace } } });

// The rows the API writes for an upload: a user, then a video and its job per upload.
const [user] = await sql<{ id: string }[]>`
  INSERT INTO users (username, email) VALUES ('bench', 'bench@example.com') RETURNING id`;
const jobs = await sql<JobRow[]>`
  WITH videos AS (
    INSERT INTO gallery_videos (user_id, title, source_key, duration_seconds)
    SELECT ${user?.id ?? ''}, 'clip ' || n, 'videos/raw/bench/' || n || '/clip.mp4', 60
    FROM generate_series(1, ${total}) AS n
    RETURNING id, source_key)
  INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix)
  SELECT ${user?.id ?? ''}, id, ARRAY['720p'], source_key, 'videos/output/' || id || '/'
  FROM videos ORDER BY id
  RETURNING id, video_id, formats, strategy, input_key, output_prefix, status`;

// The controller, as deploy/docker/controller.Dockerfile runs it.
const image = await readDockerfile(path.join(repoRoot, 'deploy/docker/controller.Dockerfile'));
const [, ...imageArgs] = image.entrypoint; // ["node", ...flags, script]
const imageFlags = imageArgs.slice(0, -1);
const bundle = values.unbundled
  ? undefined
  : await bundleService('controller', path.join(dir, 'bundle'));
const script = bundle
  ? path.join(bundle.dir, imageArgs.at(-1) ?? '')
  : path.join(repoRoot, 'controller/src/main.ts');
const nodeFlags = [...(values.untuned ? [] : imageFlags), ...values['node-option']];
const imageEnv = values.untuned
  ? Object.fromEntries(Object.entries(image.env).filter(([name]) => !name.startsWith('MALLOC_')))
  : image.env;
const extraEnv = Object.fromEntries(
  values.env.map((setting) => {
    const at = setting.indexOf('=');
    if (at < 1) throw new Error(`--env ${setting}: expected NAME=VALUE`);
    return [setting.slice(0, at), setting.slice(at + 1)];
  }),
);
const metricsPort = await freePort();
const child = spawn(process.execPath, [...nodeFlags, script], {
  cwd: bundle?.dir ?? repoRoot,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    PATH: process.env.PATH ?? '',
    ...imageEnv,
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    KUBECONFIG: plane.kubeconfigPath,
    KUBE_NAMESPACE: namespace,
    POD_NAME: 'controller-bench',
    DATABASE_URL: pg.url,
    LOG_LEVEL: 'error',
    ...aws.env,
    ...extraEnv,
  },
});
const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
await waitUntil(async () => (await fetch(metricsUrl)).ok, {
  timeoutMs: 60_000,
  describe: () => 'the controller did not serve /metrics',
});

/** The controller's resident set now and at its peak (/proc), and its V8 heap (/metrics). */
async function memory(): Promise<{
  rss: number;
  peak: number;
  heapUsed: number;
  heapTotal: number;
}> {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  const text = await (await fetch(metricsUrl)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^videoforge_${name}\\{[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: kb('VmRSS'),
    peak: kb('VmHWM'),
    heapUsed: metric('nodejs_heap_size_used_bytes'),
    heapTotal: metric('nodejs_heap_size_total_bytes'),
  };
}

// The first Lease tick makes this replica the leader; its informers then sync.
const leases = kc.makeApiClient(CoordinationV1Api);
await waitUntil(
  async () =>
    (await leases.readNamespacedLease({ name: 'videoforge-controller', namespace })).spec
      ?.holderIdentity === 'controller-bench',
  { timeoutMs: 60_000, describe: () => 'the controller did not become the leader' },
);
await new Promise((resolve) => setTimeout(resolve, 2000));

async function createTranscodeJobs(rows: JobRow[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < rows.length) {
        const row = rows[next++];
        if (!row) break;
        await custom.createNamespacedCustomObject({
          ...crd,
          body: transcodeJobFor(row, { namespace, bucket: aws.bucket }),
        });
      }
    }),
  );
}

// Watched, not polled: listing thousands of objects several times a second would load
// the API server the controller is being measured against.
const watchedJobs = makeInformer(kc, `/apis/batch/v1/namespaces/${namespace}/jobs`, () =>
  batch.listNamespacedJob({ namespace }),
);
const watchedTranscodeJobs = makeInformer<KubernetesObject & { status?: { phase?: string } }>(
  kc,
  `/apis/${crd.group}/${crd.version}/namespaces/${namespace}/${crd.plural}`,
  () => custom.listNamespacedCustomObject(crd) as never,
);
await Promise.all([watchedJobs.start(), watchedTranscodeJobs.start()]);
// Counted as events arrive, not by rescanning the caches: the bench shares the CPU with
// what it measures and should take as little of it as it can.
const withStatus = new Set<string>();
// Each one-rendition TranscodeJob now owns two Jobs (tracks + rendition, strategy auto
// resolving to perRendition): counted by owner, so "has its Job" means its own.
const withJob = new Set<string>();
watchedJobs.on('add', (job) => withJob.add(job.metadata?.ownerReferences?.[0]?.name ?? ''));
for (const verb of ['add', 'update'] as const)
  watchedTranscodeJobs.on(verb, (tj) => {
    if (tj.status?.phase) withStatus.add(tj.metadata?.name ?? '');
  });
async function waitReconciled(expected: number): Promise<void> {
  await waitUntil(async () => withJob.size >= expected && withStatus.size >= expected, {
    timeoutMs: 30 * 60_000,
    intervalMs: 50,
    describe: () => 'not every job was reconciled',
  });
}

/**
 * CPU seconds each process has used (user + system, /proc/<pid>/stat): the controller's
 * per job is what it costs whatever else runs on the machine, and the control plane's
 * says how much of the shared cores the API server took from it.
 */
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  // The command name in parentheses may hold spaces; the fields after it do not.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime
}
function cpuNow(): { controller: number; apiserver: number; etcd: number } {
  const pids = plane.processIds();
  return {
    controller: cpuSeconds(child.pid),
    apiserver: cpuSeconds(pids['kube-apiserver']),
    etcd: cpuSeconds(pids.etcd),
  };
}

const idle = await memory();
const requestsAtStart = await apiserverRequests(kc);
const cpuAtStart = cpuNow();
const loadAtStart = loadavg();
const started = performance.now();
await createTranscodeJobs(jobs.slice(0, throughputCount));
await waitReconciled(throughputCount);
const reconciledSeconds = (performance.now() - started) / 1000;

const restStarted = performance.now();
await createTranscodeJobs(jobs.slice(throughputCount));
await waitReconciled(total);
const allSeconds = reconciledSeconds + (performance.now() - restStarted) / 1000;
const cpuAtEnd = cpuNow();
const cpuPerThousand = (name: keyof typeof cpuAtEnd) =>
  (((cpuAtEnd[name] - cpuAtStart[name]) / total) * 1000).toFixed(1);
// Settled: the work queue drained and the garbage collector has had its turns.
const samples: number[] = [];
for (let i = 0; i < 20; i++) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  samples.push((await memory()).rss);
}
const loaded = await memory();
// Settled too: the status writes that follow the Job controller's updates are in.
const requestsAtEnd = await apiserverRequests(kc);
const controllerMetrics = await (await fetch(metricsUrl)).text();
const counted = (name: string) =>
  Number(
    new RegExp(`^videoforge_${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(controllerMetrics)?.[1] ??
      NaN,
  );
const passes = counted('reconcile_duration_seconds_count');
const passErrors = counted('reconcile_errors_total');
const settledRss = samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;
// Mirrored: the controller wrote the job row's per-rendition status.
const [mirrored] = await sql<{ count: number }[]>`
  SELECT count(*)::int AS count FROM jobs WHERE jsonb_array_length(renditions) > 0`;

const settings =
  [
    ...nodeFlags,
    ...Object.entries(imageEnv)
      .filter(([name]) => name.startsWith('MALLOC_'))
      .map(([k, v]) => `${k}=${v}`),
    ...values.env,
  ].join(' ') || 'no tuning';
console.log(
  `\nbench/controller — ${total} jobs, 1 rendition each; real kube-apiserver ${plane.server}, moto, PostgreSQL ${pg.url.replace(/\/\/[^@]*@/, '//')}` +
    `\ncontroller: ${values.unbundled ? 'controller/src/main.ts (unbundled)' : 'the image bundle'}, ${settings}\n`,
);
const heap = (m: { heapUsed: number; heapTotal: number }) =>
  `heap ${(m.heapUsed / MB).toFixed(1)} used of ${(m.heapTotal / MB).toFixed(1)}`;
console.log(`| measure | value | target |`);
console.log(`| --- | --- | --- |`);
console.log(
  `| TranscodeJobs reconciled (Job created + status written + mirrored), first ${throughputCount} | ${(throughputCount / reconciledSeconds).toFixed(1)} /s | ≥ 50 /s |`,
);
console.log(
  `| the same, sustained over all ${total} (as the caches fill) | ${(total / allSeconds).toFixed(1)} /s | ≥ 50 /s |`,
);
console.log(
  `| controller CPU per 1000 TranscodeJobs (user + system, while reconciling all ${total}) | ${cpuPerThousand('controller')} s | |`,
);
console.log(
  `| kube-apiserver and etcd CPU per 1000 TranscodeJobs, the same window (serving the controller, the bench and kube-controller-manager) | ${cpuPerThousand('apiserver')} s + ${cpuPerThousand('etcd')} s | |`,
);
console.log(
  `| controller RSS, leader, informers synced, 0 objects | ${(idle.rss / MB).toFixed(1)} MB (${heap(idle)}) | |`,
);
console.log(
  `| controller RSS with ${total} TranscodeJobs and ${watchedJobs.list(namespace).length} Jobs cached (median of 10 s) | ${(settledRss / MB).toFixed(1)} MB (${heap(loaded)}) | ≤ 150 MB |`,
);
console.log(`| controller peak RSS (VmHWM) over the run | ${(loaded.peak / MB).toFixed(1)} MB | |`);
console.log(
  `| job rows whose status the controller mirrored | ${mirrored?.count ?? 0} of ${total} | |`,
);
console.log(
  `| reconcile passes per TranscodeJob (of which failed and retried) | ${(passes / total).toFixed(2)} (${(passErrors / total).toFixed(2)}) | |`,
);
// Who asks what: see apiserver-requests.ts for which client each resource belongs to.
console.log(
  `\nkube-apiserver requests per TranscodeJob, first TranscodeJob created until settled (apiserver_request_total, all clients):`,
);
console.log(`| request | per TranscodeJob |`);
console.log(`| --- | --- |`);
for (const { request, perJob } of requestsPer(requestsAtStart, requestsAtEnd, total))
  console.log(`| ${request} | ${perJob.toFixed(2)} |`);
console.log(
  `\nmachine load average (1, 5, 15 min) as the first TranscodeJob was created: ${loadAtStart
    .map((l) => l.toFixed(2))
    .join(' ')}; at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; on ${cpus().length} cores`,
);

await Promise.all([watchedJobs.stop(), watchedTranscodeJobs.stop()]);
child.kill('SIGTERM');
await once(child, 'exit');
await aws.close();
await sql.end({ timeout: 5 });
await Promise.all([plane.stop(), pg.stop(), motoServer.stop()]);
await rm(dir, { recursive: true, force: true });
