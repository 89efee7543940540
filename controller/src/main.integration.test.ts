import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createLogger } from '@videoforge/platform/logging';
import { addToOutbox, createOutboxRelay } from '@videoforge/platform/outbox';
import { createSqsQueue } from '@videoforge/platform/queue';
import { createS3Storage } from '@videoforge/platform/storage';
import { describeWith } from '../../test/support/components.ts';
import { createTestBucket, createTestQueues, testCredentials, testRegion } from '../../test/support/aws.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import { waitUntil } from '../../test/support/process.ts';
import { kubectl, startKubeSuite, type KubeSuite } from '../../test/kube/kube-test-utils.ts';

const run = promisify(execFile);
const controllerMain = fileURLToPath(new URL('./main.ts', import.meta.url));
const transcoderMain = fileURLToPath(new URL('../../transcoder/src/main.ts', import.meta.url));

/**
 * The whole cluster flow with nothing mocked: an outbox row is relayed to SQS (moto),
 * the operator process takes it off the queue and creates a TranscodeJob, reconciles
 * it into batch/v1 Jobs, the local node runs the real transcoder against S3 (moto),
 * and the status comes back to Postgres.
 */
describeWith(['kubernetes', 'postgres', 's3', 'sqs', 'ffmpeg'], 'the operator process, end to end', () => {
  let suite: KubeSuite;
  let db: TestDatabase;
  let dir: string;
  let operator: ChildProcess;
  let output = '';
  let metricsUrl: string;
  let bucketName = '';
  const endpoint = () => inject('awsEndpoint');

  beforeAll(async () => {
    suite = await startKubeSuite(inject('kubeconfig'), 'e2e', {
      labels: { 'videoforge.io/node-group': 'transcode' },
      // What the transcoder image's environment would carry in a real cluster.
      baseEnv: {
        PATH: process.env.PATH ?? '',
        HOME: tmpdir(),
        AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
        TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
        TRANSCODE_PRESET: 'ultrafast',
        LOG_LEVEL: 'warn',
      },
    });
    db = await createTestDatabase(inject('postgresUrl'));
    dir = await mkdtemp(path.join(tmpdir(), 'vf-e2e-'));
  });
  afterAll(async () => {
    if (operator && operator.exitCode === null) {
      operator.kill('SIGTERM');
      await once(operator, 'exit');
    }
    await suite?.cleanup();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('turns a queued job into renditions and reports success to Postgres and Prometheus', async () => {
    const bucket = await createTestBucket(endpoint());
    bucketName = bucket;
    const { queueUrl } = await createTestQueues(endpoint(), { visibilityTimeoutSeconds: 30 });
    const storage = createS3Storage({ bucket, region: testRegion, endpoint: endpoint(), forcePathStyle: true, credentials: testCredentials });
    const clip = path.join(dir, 'clip.mp4');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=854x480:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', clip]);
    await storage.put('videos/raw/1/e2e/clip.mp4', await readFile(clip), { contentType: 'video/mp4' });

    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    operator = spawn(process.execPath, [controllerMain], {
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: inject('kubeconfig'),
        KUBE_NAMESPACE: suite.namespace,
        POD_NAME: 'operator-0',
        DATABASE_URL: db.url,
        QUEUE_DRIVER: 'sqs',
        SQS_QUEUE_URL: queueUrl,
        SQS_ENDPOINT: endpoint(),
        QUEUE_WAIT_SECONDS: '1',
        STORAGE_DRIVER: 's3',
        S3_BUCKET_NAME: bucket,
        S3_ENDPOINT: endpoint(),
        AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
        METRICS_PORT: String(port),
        TRANSCODER_COMMAND: JSON.stringify([process.execPath, transcoderMain]),
        TRANSCODE_RESOURCES: JSON.stringify({ default: { requests: { cpu: '100m' } } }),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    operator.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    operator.stderr?.on('data', (c: Buffer) => (output += c.toString()));

    const [user] = await db.sql<{ id: string }[]>`INSERT INTO users (username, email) VALUES ('grace', 'grace@example.com') RETURNING id`;
    const [video] = await db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, source_key, duration_seconds) VALUES (${user?.id ?? ''}, 'e2e', 'videos/raw/1/e2e/clip.mp4', 2) RETURNING id`;
    const jobId = await db.sql.begin(async (tx) => {
      const [job] = await tx<{ id: string }[]>`
        INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix)
        VALUES (${user?.id ?? ''}, ${video?.id ?? ''}, ${['480p', '360p']}, 'videos/raw/1/e2e/clip.mp4', 'videos/output/x/') RETURNING id`;
      const id = job?.id ?? '';
      await tx`UPDATE jobs SET output_prefix = ${`videos/output/${id}/`} WHERE id = ${id}`;
      await addToOutbox(tx, 'transcode', { jobId: id });
      return id;
    });
    const queue = createSqsQueue({ queueUrl, region: testRegion, endpoint: endpoint(), credentials: testCredentials });
    await createOutboxRelay({ sql: db.sql, queueFor: () => queue, logger: createLogger({ service: 't', level: 'silent' }) }).relayOnce();

    let row: { status: string; progress: string; video_status: string } | undefined;
    await waitUntil(
      async () => {
        [row] = await db.sql<NonNullable<typeof row>[]>`
          SELECT j.status, j.progress, v.status AS video_status FROM jobs j JOIN gallery_videos v ON v.id = j.video_id WHERE j.id = ${jobId}`;
        return row?.status === 'succeeded' || row?.status === 'failed';
      },
      { timeoutMs: 150_000, intervalMs: 500, describe: () => `${JSON.stringify(row)}\n${output.slice(-3000)}` },
    );
    expect(row).toMatchObject({ status: 'succeeded', video_status: 'ready' });

    const tj = (await suite.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs', namespace: suite.namespace, name: `job-${jobId}`,
    })) as { spec: { jobId: string }; status: { phase: string; renditionsSummary: string } };
    expect(tj.spec.jobId).toBe(jobId);
    expect(tj.status).toMatchObject({ phase: 'Succeeded', renditionsSummary: '2/2' });
    expect(await storage.head(`videos/output/${jobId}/master.m3u8`)).toBeDefined();
    expect(await storage.head(`videos/output/${jobId}/480p/index.m3u8`)).toBeDefined();
    // The message was deleted once the resource existed.
    expect(await queue.depth()).toMatchObject({ visible: 0, inFlight: 0 });

    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/^videoforge_jobs_completed_total\{service="controller"\} 1$/m);
    expect(metrics).toMatch(/^videoforge_renditions_completed_total\{rendition="480p",service="controller"\} 1$/m);
    expect(metrics).toMatch(/^videoforge_media_seconds_transcoded_total\{rendition="360p",service="controller"\} 2$/m);
    expect(metrics).toMatch(/^videoforge_queue_messages_deleted_total\{service="controller"\} 1$/m);
    expect(metrics).toMatch(/^videoforge_controller_leader\{service="controller"\} 1$/m);
    await queue.close();
  });

  it('adopts a TranscodeJob applied by hand with kubectl, creating its Postgres rows', async () => {
    const manifest = path.join(dir, 'by-hand.yaml');
    await writeFile(
      manifest,
      [
        'apiVersion: videoforge.io/v1alpha1',
        'kind: TranscodeJob',
        'metadata: { name: by-hand }',
        'spec:',
        `  source: { bucket: ${bucketName}, key: videos/raw/1/e2e/clip.mp4 }`,
        '  renditions: [ { name: 360p, height: 360, videoBitrate: 600k } ]',
      ].join('\n'),
    );
    await kubectl(inject('kubeconfig'), ['apply', '-n', suite.namespace, '-f', manifest]);
    let row: { id: string; status: string; title: string } | undefined;
    await waitUntil(
      async () => {
        [row] = await db.sql<NonNullable<typeof row>[]>`
          SELECT j.id, j.status, v.title FROM jobs j JOIN gallery_videos v ON v.id = j.video_id WHERE v.title = 'by-hand'`;
        return row?.status === 'succeeded';
      },
      { timeoutMs: 120_000, intervalMs: 500, describe: () => `${JSON.stringify(row)}\n${output.slice(-2000)}` },
    );
    const table = (await kubectl(inject('kubeconfig'), ['get', 'tj', 'by-hand', '-n', suite.namespace, '-o', 'jsonpath={.spec.jobId} {.status.phase}'])).stdout;
    expect(table).toBe(`${row?.id} Succeeded`);
  });
});
