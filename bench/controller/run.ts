/**
 * bench/controller — how fast the operator turns TranscodeJobs into Jobs against a
 * real API server, and how much memory it holds with many TranscodeJobs.
 *
 *   node bench/controller/run.ts [--count 5000] [--throughput-count 500] [--concurrency 32]
 *                                [--untuned] [--node-option=--flag ...]
 *
 * Starts its own control plane (scripts/kube/build.sh must have run), no node: Jobs
 * are created, not run. Throughput is TranscodeJobs reconciled per second: from the
 * first create until every TranscodeJob has its Job and a status written.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { startControlPlane } from '../../test/kube/control-plane.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    'throughput-count': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '32' },
    /** Extra Node.js flags for the controller under test. */
    'node-option': { type: 'string', multiple: true, default: [] },
    /** Run the controller without the memory settings its image ships with. */
    untuned: { type: 'boolean', default: false },
  },
});
const total = Number(values.count);
const throughputCount = Math.min(Number(values['throughput-count']), total);
const concurrency = Number(values.concurrency);
const namespace = 'bench';
const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs', namespace };

// What deploy/docker/controller.Dockerfile runs the controller with.
const IMAGE_NODE_OPTIONS = ['--max-semi-space-size=1'];
const IMAGE_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };
const nodeOptions = [...(values.untuned ? [] : IMAGE_NODE_OPTIONS), ...values['node-option']];
const tuningEnv: Record<string, string> = values.untuned ? {} : IMAGE_ENV;

const plane = await startControlPlane();
const kc = new KubeConfig();
kc.loadFromFile(plane.kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const batch = kc.makeApiClient(BatchV1Api);
await core.createNamespace({ body: { metadata: { name: namespace } } });

const child = spawn(
  process.execPath,
  [
    '--expose-gc',
    ...nodeOptions,
    fileURLToPath(new URL('./controller-under-test.ts', import.meta.url)),
    plane.kubeconfigPath,
    namespace,
  ],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...tuningEnv },
  },
);
const lines = createInterface({ input: child.stdout });
const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
if ((await nextLine()) !== 'ready') throw new Error('controller did not start');
const memory = async (): Promise<{
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}> => {
  child.stdin.write('rss\n');
  return JSON.parse(await nextLine()) as {
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
  };
};

async function createMany(from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        const i = next++;
        await custom.createNamespacedCustomObject({
          ...crd,
          body: {
            apiVersion: 'videoforge.io/v1alpha1',
            kind: 'TranscodeJob',
            metadata: { name: `bench-${i}` },
            spec: {
              jobId: String(i + 1),
              source: { bucket: 'video-forge-storage', key: `videos/raw/1/${i}/clip.mp4` },
              renditions: [{ name: '720p', height: 720, videoBitrate: '2000k' }],
            },
          },
        });
      }
    }),
  );
}

// Watched, not polled: listing thousands of objects several times a second would
// load the API server the controller is being measured against.
const watchedJobs = makeInformer(kc, `/apis/batch/v1/namespaces/${namespace}/jobs`, () =>
  batch.listNamespacedJob({ namespace }),
);
const watchedTranscodeJobs = makeInformer<KubernetesObject & { status?: { phase?: string } }>(
  kc,
  `/apis/${crd.group}/${crd.version}/namespaces/${namespace}/${crd.plural}`,
  () => custom.listNamespacedCustomObject(crd) as never,
);
await Promise.all([watchedJobs.start(), watchedTranscodeJobs.start()]);

async function waitReconciled(expected: number): Promise<void> {
  for (;;) {
    const jobs = watchedJobs.list(namespace).length;
    const withStatus = watchedTranscodeJobs.list(namespace).filter((tj) => tj.status?.phase).length;
    if (jobs >= expected && withStatus >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const baseline = await memory();
const started = performance.now();
await createMany(0, throughputCount);
const created = performance.now();
await waitReconciled(throughputCount);
const reconciled = performance.now();

await createMany(throughputCount, total);
await waitReconciled(total);
await new Promise((resolve) => setTimeout(resolve, 2000)); // let the work queue drain
const loaded = await memory();

const createSeconds = (created - started) / 1000;
const reconcileSeconds = (reconciled - started) / 1000;
const MB = 1024 * 1024;
console.log(
  `\nbench/controller — real kube-apiserver ${plane.server}, ${total} TranscodeJobs, 1 rendition each` +
    `; controller run as its image runs it: ${[...nodeOptions, ...Object.entries(tuningEnv).map(([k, v]) => `${k}=${v}`)].join(' ') || 'no tuning'}\n`,
);
console.log(`| measure | value | target |`);
console.log(`| --- | --- | --- |`);
console.log(
  `| TranscodeJobs created (client, ${concurrency} in flight) | ${(throughputCount / createSeconds).toFixed(1)} /s | |`,
);
console.log(
  `| TranscodeJobs reconciled (Job created + status written), first ${throughputCount} | ${(throughputCount / reconcileSeconds).toFixed(1)} /s | ≥ 50 /s |`,
);
const mem = (m: { rss: number; heapUsed: number; heapTotal: number; external: number }) =>
  `${(m.rss / MB).toFixed(1)} MB (heap ${(m.heapUsed / MB).toFixed(1)} used of ${(m.heapTotal / MB).toFixed(1)}, external ${(m.external / MB).toFixed(1)})`;
console.log(`| controller RSS, idle: informers synced, 0 objects | ${mem(baseline)} | |`);
console.log(
  `| controller RSS with ${total} TranscodeJobs and ${total} Jobs cached | ${mem(loaded)} | ≤ 150 MB |`,
);
console.log(
  `\nmachine load average while running: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${(await import('node:os')).cpus().length} cores`,
);

await Promise.all([watchedJobs.stop(), watchedTranscodeJobs.stop()]);
child.stdin.write('stop\n');
await once(child, 'exit');
await plane.stop();
