import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, expect, inject, it } from 'vitest';
import { describeWith } from '../../test/support/components.ts';
import { createTestAws, type TestAws } from '../../test/support/aws.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import {
  insertTestJob,
  insertTestUser,
  relayOutboxOnce,
  waitForJobToFinish,
} from '../../test/support/jobs.ts';
import { storeTestClip } from '../../test/support/media.ts';
import { waitUntil } from '../../test/support/process.ts';
import { operatorEnv, startTranscodeKubeSuite } from '../../test/support/transcode-cluster.ts';
import { kubectl, type KubeSuite } from '../../test/kube/kube-test-utils.ts';

const controllerMain = fileURLToPath(new URL('./main.ts', import.meta.url));
const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs' };

interface Operator {
  child: ChildProcess;
  name: string;
  metricsUrl: string;
  output(): string;
}

/**
 * The whole cluster flow with nothing mocked: outbox rows relayed to SQS (moto), the
 * operator process creating TranscodeJobs and reconciling them into batch/v1 Jobs, the
 * local node running the real transcoder against S3 (moto), status back in Postgres.
 */
describeWith(
  ['kubernetes', 'postgres', 's3', 'sqs', 'ffmpeg'],
  'the operator process, end to end',
  () => {
    let suite: KubeSuite;
    let db: TestDatabase;
    let dir: string;
    let aws: TestAws;
    let userId: string;
    const operators: Operator[] = [];

    beforeAll(async () => {
      suite = await startTranscodeKubeSuite(inject('kubeconfig'), 'e2e', {
        TRANSCODE_PRESET: 'ultrafast',
      });
      db = await createTestDatabase(inject('postgresUrl'));
      dir = await mkdtemp(path.join(tmpdir(), 'vf-e2e-'));
      aws = await createTestAws(inject('awsEndpoint'));
      await storeTestClip(aws.storage, 'videos/raw/1/e2e/clip.mp4', dir, {
        size: '1920x1080',
        seconds: 2,
      });
      userId = await insertTestUser(db.sql, 'grace');
    });
    afterEach(async () => {
      for (const operator of operators.splice(0)) await stopOperator(operator, 'SIGTERM');
    });
    afterAll(async () => {
      await aws?.close();
      await suite?.cleanup();
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    async function startOperator(
      name: string,
      extraEnv: Record<string, string> = {},
    ): Promise<Operator> {
      const port = await freePort();
      let output = '';
      const child = spawn(process.execPath, [controllerMain], {
        env: {
          ...operatorEnv({
            kubeconfig: inject('kubeconfig'),
            namespace: suite.namespace,
            podName: name,
            databaseUrl: db.url,
            metricsPort: port,
            aws,
          }),
          TRANSCODE_RESOURCES: JSON.stringify({ default: { requests: { cpu: '100m' } } }),
          LOG_LEVEL: 'info',
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      const operator = {
        child,
        name,
        metricsUrl: `http://127.0.0.1:${port}/metrics`,
        output: () => output,
      };
      operators.push(operator);
      return operator;
    }

    async function stopOperator(operator: Operator, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
      if (operator.child.exitCode !== null || operator.child.signalCode !== null) return;
      operator.child.kill(signal);
      await once(operator.child, 'exit');
    }

    /** A new video + job with its outbox row, relayed to SQS as the API would. */
    async function submit(
      formats: string[],
      clip: { sourceKey: string; durationSeconds: number } = {
        sourceKey: 'videos/raw/1/e2e/clip.mp4',
        durationSeconds: 2,
      },
    ): Promise<string> {
      const jobId = await insertTestJob(db.sql, { userId, title: 'e2e', formats, ...clip });
      await relayOutboxOnce(db.sql, aws.queue);
      return jobId;
    }

    const waitForJob = (jobId: string, operator: () => Operator | undefined) =>
      waitForJobToFinish(db.sql, jobId, {
        timeoutMs: 150_000,
        intervalMs: 500,
        output: () => operator()?.output().slice(-3000) ?? '',
      });

    const readTj = async (name: string) =>
      (await suite.kc
        .makeApiClient(CustomObjectsApi)
        .getNamespacedCustomObject({ ...crd, namespace: suite.namespace, name })) as {
        spec: { jobId: string };
        status: { phase: string; renditionsSummary: string; progress: number };
      };
    const jobNames = async (tj: string) =>
      (
        await suite.batch.listNamespacedJob({
          namespace: suite.namespace,
          labelSelector: `videoforge.io/transcodejob=${tj}`,
        })
      ).items
        .map((j) => j.metadata?.name ?? '')
        .sort();
    const outputKeys = async (jobId: string) =>
      (await aws.storage.list(`videos/output/${jobId}/`)).objects.map((o) => o.key);

    it('turns a queued job into four renditions and reports success to Postgres, kubectl and Prometheus', async () => {
      const operator = await startOperator('operator-0');
      const jobId = await submit(['1080p', '720p', '480p', '360p']);
      expect(await waitForJob(jobId, () => operator)).toMatchObject({
        status: 'succeeded',
        video_status: 'ready',
        progress: '100.00',
      });

      const table = (
        await kubectl(inject('kubeconfig'), [
          'get',
          'transcodejobs',
          `job-${jobId}`,
          '-n',
          suite.namespace,
        ])
      ).stdout;
      expect(table).toMatch(new RegExp(`job-${jobId}\\s+Succeeded\\s+100\\s+4/4\\s+\\d+\\s+`));
      expect(await aws.storage.head(`videos/output/${jobId}/master.m3u8`)).toBeDefined();
      for (const rendition of ['1080p', '720p', '480p', '360p'])
        expect(
          await aws.storage.head(`videos/output/${jobId}/${rendition}/index.m3u8`),
        ).toBeDefined();
      expect(await aws.queue.depth()).toMatchObject({ visible: 0, inFlight: 0 }); // deleted once the resource existed

      const metrics = await (await fetch(operator.metricsUrl)).text();
      expect(metrics).toMatch(/^videoforge_jobs_completed_total\{service="controller"\} 1$/m);
      expect(metrics).toMatch(
        /^videoforge_renditions_completed_total\{rendition="1080p",service="controller"\} 1$/m,
      );
      expect(metrics).toMatch(
        /^videoforge_media_seconds_transcoded_total\{rendition="360p",service="controller"\} 2$/m,
      );
      expect(metrics).toMatch(
        /^videoforge_queue_messages_deleted_total\{service="controller"\} 1$/m,
      );
      expect(metrics).toMatch(/^videoforge_controller_leader\{service="controller"\} 1$/m);
    });

    it('drill: the same queue message delivered twice makes one TranscodeJob and one set of outputs', async () => {
      const operator = await startOperator('operator-0');
      const jobId = await submit(['360p']);
      await aws.queue.send(JSON.stringify({ jobId })); // the duplicate an at-least-once queue may deliver
      expect(await waitForJob(jobId, () => operator)).toMatchObject({ status: 'succeeded' });
      let depth = await aws.queue.depth();
      await waitUntil(
        async () => {
          depth = await aws.queue.depth();
          return depth.visible + depth.inFlight === 0;
        },
        {
          timeoutMs: 20_000,
          describe: () => `${JSON.stringify(depth)}\n${operator.output().slice(-3000)}`,
        },
      );
      expect(await jobNames(`job-${jobId}`)).toEqual([
        `job-${jobId}-360p`,
        `job-${jobId}-finalize`,
        `job-${jobId}-tracks`,
      ]);
      expect(operator.output()).toMatch(/TranscodeJob already existed/);
      const keys = await outputKeys(jobId);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('drill: the controller killed mid-reconcile and restarted loses nothing and duplicates nothing', async () => {
      const first = await startOperator('operator-0');
      const jobId = await submit(['480p', '360p']);
      await waitUntil(async () => (await jobNames(`job-${jobId}`)).length > 0, {
        timeoutMs: 30_000,
        describe: () => first.output(),
      });
      await stopOperator(first, 'SIGKILL');
      // A restarted replica waits out the dead one's lease, then carries on from the world as it is.
      const second = await startOperator('operator-1');
      expect(await waitForJob(jobId, () => second)).toMatchObject({
        status: 'succeeded',
        video_status: 'ready',
      });
      expect(await jobNames(`job-${jobId}`)).toEqual([
        `job-${jobId}-360p`,
        `job-${jobId}-480p`,
        `job-${jobId}-finalize`,
        `job-${jobId}-tracks`,
      ]);
      expect((await readTj(`job-${jobId}`)).status).toMatchObject({
        phase: 'Succeeded',
        renditionsSummary: '2/2',
      });
    });

    it('drill: with two replicas, killing the leader mid-job hands the work to the other', async () => {
      const a = await startOperator('replica-a');
      await waitUntil(async () => a.output().includes('became leader'), {
        timeoutMs: 30_000,
        describe: () => a.output(),
      });
      const b = await startOperator('replica-b');
      const jobId = await submit(['480p', '360p']);
      await waitUntil(async () => (await jobNames(`job-${jobId}`)).length > 0, {
        timeoutMs: 30_000,
        describe: () => a.output(),
      });
      const killedAt = Date.now();
      await stopOperator(a, 'SIGKILL');
      await waitUntil(async () => b.output().includes('became leader'), {
        timeoutMs: 30_000,
        describe: () => b.output(),
      });
      const takeover = (Date.now() - killedAt) / 1000;
      console.log(`standby replica took over ${takeover.toFixed(1)} s after the leader was killed`);
      expect(takeover).toBeLessThan(15);
      expect(await waitForJob(jobId, () => b)).toMatchObject({ status: 'succeeded' });
      const lease = await suite.kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: 'videoforge-controller', namespace: suite.namespace });
      expect(lease.spec?.holderIdentity).toBe('replica-b');
    });

    it('cuts an uploaded title at least TRANSCODE_CHUNK_MIN_SECONDS long into chunks without being asked', async () => {
      await storeTestClip(aws.storage, 'videos/raw/1/e2e/long.mp4', dir, {
        size: '640x360',
        seconds: 12,
      });
      // A short threshold stands in for the default ten minutes; the job row asks for `auto`.
      const operator = await startOperator('operator-0', {
        TRANSCODE_CHUNK_MIN_SECONDS: '10',
        TRANSCODE_CHUNK_MAX_PARALLEL: '2',
      });
      const jobId = await submit(['360p'], {
        sourceKey: 'videos/raw/1/e2e/long.mp4',
        durationSeconds: 12,
      });
      expect(await waitForJob(jobId, () => operator)).toMatchObject({
        status: 'succeeded',
        video_status: 'ready',
      });
      const tj = (await readTj(`job-${jobId}`)) as unknown as {
        spec: { strategy: string; chunking?: unknown };
        status: { strategy: string; chunks?: { total: number; succeeded: number } };
      };
      expect(tj.spec).toMatchObject({
        strategy: 'auto',
        chunking: { maxParallel: 2, durationSeconds: 12 },
      });
      expect(tj.status).toMatchObject({ strategy: 'chunked', chunks: { total: 2, succeeded: 2 } });
      expect(await jobNames(`job-${jobId}`)).toEqual(
        expect.arrayContaining([
          `job-${jobId}-chunk-0`,
          `job-${jobId}-chunk-1`,
          `job-${jobId}-stitch`,
          `job-${jobId}-tracks`,
        ]),
      );
      expect(await aws.storage.head(`videos/output/${jobId}/master.m3u8`)).toBeDefined();

      // The 2 s clip under the same threshold keeps the configured auto strategy.
      const shortJob = await submit(['360p']);
      expect(await waitForJob(shortJob, () => operator)).toMatchObject({ status: 'succeeded' });
      expect((await readTj(`job-${shortJob}`)) as unknown).toMatchObject({
        status: { strategy: 'perRendition' },
      });
    }, 240_000);

    it('adopts a TranscodeJob applied by hand with kubectl, creating its Postgres rows', async () => {
      const operator = await startOperator('operator-0');
      const manifest = path.join(dir, 'by-hand.yaml');
      await writeFile(
        manifest,
        [
          'apiVersion: videoforge.io/v1alpha1',
          'kind: TranscodeJob',
          'metadata: { name: by-hand }',
          'spec:',
          `  source: { bucket: ${aws.bucket}, key: videos/raw/1/e2e/clip.mp4 }`,
          '  renditions: [ { name: 360p, height: 360, videoBitrate: 600k } ]',
        ].join('\n'),
      );
      await kubectl(inject('kubeconfig'), ['apply', '-n', suite.namespace, '-f', manifest]);
      let row: { id: string; status: string } | undefined;
      await waitUntil(
        async () => {
          [row] = await db.sql<NonNullable<typeof row>[]>`
          SELECT j.id, j.status FROM jobs j JOIN gallery_videos v ON v.id = j.video_id WHERE v.title = 'by-hand' ORDER BY j.id`;
          return row?.status === 'succeeded';
        },
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          describe: () => `${JSON.stringify(row)}\n${operator.output().slice(-2000)}`,
        },
      );
      const printed = (
        await kubectl(inject('kubeconfig'), [
          'get',
          'tj',
          'by-hand',
          '-n',
          suite.namespace,
          '-o',
          'jsonpath={.spec.jobId} {.status.phase}',
        ])
      ).stdout;
      expect(printed).toBe(`${row?.id} Succeeded`);
      const [adopted] = await db.sql<{ jobs: number }[]>`
      SELECT count(*)::int AS jobs FROM jobs j JOIN gallery_videos v ON v.id = j.video_id WHERE v.title = 'by-hand'`;
      expect(adopted?.jobs).toBe(1);
    }, 180_000);
  },
);
