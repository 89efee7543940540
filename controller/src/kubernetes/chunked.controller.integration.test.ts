import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CustomObjectsApi, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TranscodeJobResource } from '@videoforge/contracts';
import { createLogger } from '@videoforge/platform/logging';
import { describeWith } from '../../../test/support/components.ts';
import {
  eventually,
  kubectl,
  startKubeSuite,
  type KubeSuite,
} from '../../../test/kube/kube-test-utils.ts';
import { startTranscodeJobController, type RunningController } from './transcode-job.controller.ts';
import { testJobTemplate } from '../testing/test-job-template.ts';

const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs' };

/**
 * Stands in for the transcoder image ($0 = subcommand, ${10} = a chunk's --chunk-index).
 * Chunk 1's first pod records its pid and waits, so the test can kill it; its retry
 * finds the mark and finishes ($$$$: Kubernetes turns $$ into $ in args). A source key with "slow" keeps every chunk running.
 */
const FAKE_TRANSCODER = [
  'sh',
  '-c',
  `case "$2" in *slow*) exec sleep 120;; esac
   if [ "$0" = chunk ] && [ "\${10}" = 1 ] && [ ! -e "$MARK_DIR/chunk-1.pid" ]; then
     echo $$$$ > "$MARK_DIR/chunk-1.pid"; exec sleep 120
   fi
   exit 0`,
];

describeWith(['kubernetes'], 'the chunked strategy on a real API server', () => {
  let suite: KubeSuite;
  let controller: RunningController;
  let custom: CustomObjectsApi;
  let markDir: string;

  beforeAll(async () => {
    markDir = await mkdtemp(path.join(tmpdir(), 'vf-chunked-'));
    suite = await startKubeSuite(inject('kubeconfig'), 'chunked', {
      labels: { 'videoforge.io/node-group': 'transcode' },
    });
    custom = suite.kc.makeApiClient(CustomObjectsApi);
    controller = await startTranscodeJobController({
      kubeConfig: suite.kc,
      namespace: suite.namespace,
      logger: createLogger({ service: 'controller-test', level: 'warn' }),
      jobTemplate: testJobTemplate(FAKE_TRANSCODER, {
        env: [
          { name: 'STORAGE_DRIVER', value: 's3' },
          { name: 'MARK_DIR', value: markDir },
        ],
      }),
      cleanup: async () => undefined,
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await suite?.cleanup();
    await rm(markDir, { recursive: true, force: true });
  });

  async function apply(name: string, key: string): Promise<void> {
    await custom.createNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      body: {
        apiVersion: 'videoforge.io/v1alpha1',
        kind: 'TranscodeJob',
        metadata: { name },
        spec: {
          jobId: '42',
          videoId: '17',
          source: { bucket: 'video-forge-storage', key },
          renditions: [
            { name: '720p', height: 720, videoBitrate: '2000k' },
            { name: '480p', height: 480, videoBitrate: '1000k' },
          ],
          outputPrefix: 'videos/output/42/',
          strategy: 'chunked',
          // 40 s of 6 s segments = 7 segments, in three chunks of 3, 2 and 2.
          chunking: { maxParallel: 3, durationSeconds: 40 },
        },
      },
    });
  }
  const read = async (name: string) =>
    (await custom.getNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      name,
    })) as TranscodeJobResource;
  const jobsOf = async (name: string): Promise<V1Job[]> =>
    (
      await suite.batch.listNamespacedJob({
        namespace: suite.namespace,
        labelSelector: `videoforge.io/transcodejob=${name}`,
      })
    ).items;

  it('retries a killed chunk pod alone, then stitches and finalizes; kubectl get tj shows the chunks', async () => {
    await apply('tj-chunked', 'videos/raw/1/c/long.mp4');
    // Chunk 1's first pod is running: kill its process, as a node losing it would.
    const pid = await eventually(
      "chunk 1's first pod to start",
      async () =>
        Number(await readFile(path.join(markDir, 'chunk-1.pid'), 'utf8').catch(() => '')) ||
        undefined,
      { timeoutMs: 60_000 },
    );
    process.kill(pid, 'SIGKILL');

    const done = await eventually(
      'the chunked TranscodeJob to finish',
      async () => {
        const tj = await read('tj-chunked');
        return tj.status?.phase === 'Succeeded' || tj.status?.phase === 'Failed' ? tj : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.strategy).toBe('chunked');
    expect(done.status?.chunks).toEqual({
      total: 3,
      succeeded: 3,
      running: 0,
      retried: [1],
      summary: '3/3',
    });
    expect(done.status?.renditions?.map((r) => [r.name, r.phase])).toEqual([
      ['720p', 'Succeeded'],
      ['480p', 'Succeeded'],
    ]);

    const jobs = await jobsOf('tj-chunked');
    const pods = (name: string) => {
      const job = jobs.find((j) => j.metadata?.name === name);
      return [job?.status?.failed ?? 0, job?.status?.succeeded ?? 0];
    };
    expect(jobs.map((j) => j.metadata?.name).sort()).toEqual([
      'tj-chunked-chunk-0',
      'tj-chunked-chunk-1',
      'tj-chunked-chunk-2',
      'tj-chunked-finalize',
      'tj-chunked-stitch',
      'tj-chunked-tracks',
    ]);
    // Only the killed chunk ran twice; its siblings ran once.
    expect(pods('tj-chunked-chunk-1')).toEqual([1, 1]);
    expect(pods('tj-chunked-chunk-0')).toEqual([0, 1]);
    expect(pods('tj-chunked-chunk-2')).toEqual([0, 1]);
    const chunk1 = jobs.find((j) => j.metadata?.name === 'tj-chunked-chunk-1');
    const args = chunk1?.spec?.template.spec?.containers[0]?.args ?? [];
    expect(args.slice(args.indexOf('--chunk-index'))).toEqual([
      '--chunk-index',
      '1',
      '--start-segment',
      '3',
      '--segment-count',
      '2',
      '--segment-seconds',
      '6',
    ]);

    const { stdout } = await kubectl(inject('kubeconfig'), [
      'get',
      'tj',
      'tj-chunked',
      '-n',
      suite.namespace,
      '-o',
      'wide',
    ]);
    const [header, row] = stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'NAME',
      'PHASE',
      'PROGRESS',
      'RENDITIONS',
      'STRATEGY',
      'CHUNKS',
      'PLAYABLE',
      'VIDEO',
      'AGE',
    ]);
    const cells = row?.split(/\s+/) ?? [];
    expect(cells.slice(0, 6)).toEqual(['tj-chunked', 'Succeeded', '100', '2/2', 'chunked', '3/3']);
    // Playable since it finished (a chunked job publishes nothing while it runs): an age.
    expect(cells[6]).toMatch(/^\d+[smh]/);
    expect(cells[7]).toBe('17');
  }, 180_000);

  it('stops every chunk when the TranscodeJob is cancelled', async () => {
    await apply('tj-chunked-cancel', 'videos/raw/1/c/slow.mp4');
    await eventually(
      'every chunk to run',
      async () => {
        const tj = await read('tj-chunked-cancel');
        return tj.status?.chunks?.running === 3 ? tj : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await custom.patchNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      name: 'tj-chunked-cancel',
      body: [{ op: 'add', path: '/spec/cancel', value: true }],
    });
    const cancelled = await eventually(
      'the TranscodeJob to be cancelled with no chunk left',
      async () => {
        const tj = await read('tj-chunked-cancel');
        const left = await jobsOf('tj-chunked-cancel');
        return tj.status?.phase === 'Cancelled' && left.length === 0 ? tj : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(cancelled.status?.chunks?.succeeded).toBe(0);
  });
});
