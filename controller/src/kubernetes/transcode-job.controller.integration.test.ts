import { mkdtemp, rm } from 'node:fs/promises';
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
 * Stands in for the transcoder image: the local node runs this with the Job's args
 * ($0 = subcommand, $2 = source key), so a source key decides the outcome.
 */
const PROGRESS_EVENT = JSON.stringify({
  job: '42',
  event: 'progress',
  renditions: ['720p'],
  percent: 40,
});
/** What a measured rendition's transcoder prints after its upload (for every rendition name). */
const MEASURED = { ssim: 0.9941, psnrDb: 44.62, sampledSeconds: 6 };
const [QUALITY_EVENT_HEAD, QUALITY_EVENT_TAIL] = JSON.stringify({
  job: '42',
  event: 'rendition-quality',
  rendition: '@',
  quality: MEASURED,
}).split('@');
/** Its AV1 twin's figure, in the same log (the event names the twin's variant). */
const TWIN_MEASURED = { ssim: 0.9903, psnrDb: 42.14, sampledSeconds: 6 };
const [TWIN_EVENT_HEAD, TWIN_EVENT_MIDDLE, TWIN_EVENT_TAIL] = JSON.stringify({
  job: '42',
  event: 'rendition-quality',
  rendition: '@',
  variant: '@-av1',
  quality: TWIN_MEASURED,
}).split('@');
const FAKE_TRANSCODER = [
  'sh',
  '-c',
  `case "$2" in
     *bad-input*) echo "not a video" >&2; exit 2;;
     *progress*) echo '${PROGRESS_EVENT}'; sleep 60;;
     *slow*) sleep 60;;
     *measured*) [ "$0" = rendition ] && echo '${QUALITY_EVENT_HEAD}'"$8"'${QUALITY_EVENT_TAIL}' && echo '${TWIN_EVENT_HEAD}'"$8"'${TWIN_EVENT_MIDDLE}'"$8"'${TWIN_EVENT_TAIL}'; exit 0;;
     *flaky*) [ -e "$MARK_DIR/$0-$8" ] && exit 0; touch "$MARK_DIR/$0-$8"; echo "transient: storage timeout" >&2; exit 1;;
     *always-fails*) exit 1;;
   esac
   exit 0`,
];

describeWith(['kubernetes'], 'the TranscodeJob controller on a real API server', () => {
  let suite: KubeSuite;
  let controller: RunningController;
  let custom: CustomObjectsApi;
  let markDir: string;
  const cleanedUp: string[] = [];

  beforeAll(async () => {
    markDir = await mkdtemp(path.join(tmpdir(), 'vf-flaky-'));
    suite = await startKubeSuite(inject('kubeconfig'), 'operator', {
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
      cleanup: async (resource) => void cleanedUp.push(resource.metadata.name),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await suite?.cleanup();
    await rm(markDir, { recursive: true, force: true });
  });

  async function apply(
    name: string,
    key: string,
    extra: Partial<TranscodeJobResource['spec']> = {},
  ): Promise<void> {
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
            { name: '720p', height: 720, videoBitrate: '2000k', audioBitrate: '96k' },
            { name: '480p', height: 480, videoBitrate: '1000k' },
          ],
          outputPrefix: 'videos/output/42/',
          ...extra,
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

  it('runs one Job per rendition on the transcode node group, then finalize, and reports success', async () => {
    await apply('tj-ok', 'videos/raw/1/a/clip.mp4');
    const done = await eventually(
      'the TranscodeJob to succeed',
      async () => {
        const tj = await read('tj-ok');
        return tj.status?.phase === 'Succeeded' ? tj : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(done.status).toMatchObject({
      progress: 100,
      renditionsSummary: '2/2',
      observedGeneration: 1,
      tracks: { phase: 'Succeeded', workload: 'tj-ok-tracks', attempts: 1 },
    });
    expect(done.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      observedGeneration: 1,
    });
    expect(done.metadata.finalizers).toContain('videoforge.io/cleanup');

    const jobs = await jobsOf('tj-ok');
    expect(jobs.map((j) => j.metadata?.name).sort()).toEqual([
      'tj-ok-480p',
      'tj-ok-720p',
      'tj-ok-finalize',
      'tj-ok-tracks',
    ]);
    // The audio and subtitle tracks: one Job for every rendition, at the highest audio bit rate asked for.
    expect(
      jobs.find((j) => j.metadata?.name === 'tj-ok-tracks')?.spec?.template.spec?.containers[0]
        ?.args,
    ).toEqual([
      'tracks',
      '--source-key',
      'videos/raw/1/a/clip.mp4',
      '--job-id',
      '42',
      '--output-prefix',
      'videos/output/42/',
      '--audio-bitrate',
      '96k',
    ]);
    const rendition = jobs.find((j) => j.metadata?.name === 'tj-ok-720p');
    expect(rendition?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'TranscodeJob',
      name: 'tj-ok',
      controller: true,
    });
    expect(rendition?.spec?.template.spec?.nodeSelector).toEqual({
      'videoforge.io/node-group': 'transcode',
    });
    expect(rendition?.spec?.template.spec?.containers[0]?.args).toEqual([
      'rendition',
      '--source-key',
      'videos/raw/1/a/clip.mp4',
      '--job-id',
      '42',
      '--output-prefix',
      'videos/output/42/',
      '--rendition',
      '720p',
      '--height',
      '720',
      '--video-bitrate',
      '2000k',
      '--audio-bitrate',
      '96k',
    ]);

    const table = (
      await kubectl(inject('kubeconfig'), ['get', 'tj', 'tj-ok', '-n', suite.namespace])
    ).stdout;
    expect(table).toMatch(/NAME\s+PHASE\s+PROGRESS\s+RENDITIONS\s+VIDEO\s+AGE/);
    expect(table).toMatch(/tj-ok\s+Succeeded\s+100\s+2\/2\s+17\s+/);
  });

  it('fails the job on bad input without retrying it, with a Warning event', async () => {
    await apply('tj-bad', 'videos/raw/1/b/bad-input.mp4', { maxRetries: 3 });
    const failed = await eventually(
      'the TranscodeJob to fail',
      async () => {
        const tj = await read('tj-bad');
        return tj.status?.phase === 'Failed' ? tj : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BadInput',
    });
    const pods = await suite.core.listNamespacedPod({
      namespace: suite.namespace,
      labelSelector: 'videoforge.io/transcodejob=tj-bad',
    });
    // exit 2 fails the Job through the pod failure policy: one pod per workload (two
    // renditions and the tracks), no retries.
    expect(pods.items.length).toBeLessThanOrEqual(3);
    const events = await eventually('a BadInput event', async () => {
      const list = await suite.core.listNamespacedEvent({
        namespace: suite.namespace,
        fieldSelector: 'involvedObject.name=tj-bad',
      });
      return list.items.some((e) => e.reason === 'BadInput') ? list.items : undefined;
    });
    expect(events.find((e) => e.reason === 'BadInput')?.type).toBe('Warning');
  });

  it("reports a running rendition's progress from the transcoder's events in its pod log", async () => {
    await apply('tj-progress', 'videos/raw/1/e/progress.mp4');
    const running = await eventually(
      'progress to show',
      async () => {
        const tj = await read('tj-progress');
        return tj.status?.renditions?.every((r) => r.progress === 40) ? tj : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(running.status).toMatchObject({
      phase: 'Running',
      progress: 38,
      renditionsSummary: '0/2',
    });
    await custom.deleteNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      name: 'tj-progress',
    });
  });

  it("carries each rendition's and its twin's measured quality from its finished pod's log into the status", async () => {
    await apply('tj-measured', 'videos/raw/1/m/measured.mp4');
    const done = await eventually(
      'the measured TranscodeJob to succeed with its quality',
      async () => {
        const tj = await read('tj-measured');
        return tj.status?.phase === 'Succeeded' &&
          tj.status.renditions?.every((r) => r.quality !== undefined)
          ? tj
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(
      done.status?.renditions?.map(({ name, phase, quality, twins }) => ({
        name,
        phase,
        quality,
        twins,
      })),
    ).toEqual([
      {
        name: '720p',
        phase: 'Succeeded',
        quality: MEASURED,
        twins: [{ variant: '720p-av1', quality: TWIN_MEASURED }],
      },
      {
        name: '480p',
        phase: 'Succeeded',
        quality: MEASURED,
        twins: [{ variant: '480p-av1', quality: TWIN_MEASURED }],
      },
    ]);
  });

  it('drill: a transcoder failing once is retried by its Job and the job succeeds', async () => {
    await apply('tj-flaky', 'videos/raw/1/f/flaky.mp4', {
      renditions: [{ name: '360p', height: 360, videoBitrate: '600k' }],
    });
    const done = await eventually(
      'the flaky TranscodeJob to succeed',
      async () => {
        const tj = await read('tj-flaky');
        return tj.status?.phase === 'Succeeded' || tj.status?.phase === 'Failed' ? tj : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.renditions?.[0]).toMatchObject({
      name: '360p',
      phase: 'Succeeded',
      attempts: 2,
    });
    expect((await jobsOf('tj-flaky')).map((j) => j.metadata?.name).sort()).toEqual([
      'tj-flaky-360p',
      'tj-flaky-finalize',
      'tj-flaky-tracks',
    ]);
  });

  it('drill: a transcoder that always fails exhausts its retries and fails the job with the reason', async () => {
    await apply('tj-always', 'videos/raw/1/g/always-fails.mp4', {
      renditions: [{ name: '360p', height: 360, videoBitrate: '600k' }],
      maxRetries: 1,
    });
    const failed = await eventually(
      'the TranscodeJob to fail',
      async () => {
        const tj = await read('tj-always');
        return tj.status?.phase === 'Failed' ? tj : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'RetriesExhausted',
    });
    // The rendition's and the tracks' Jobs both fail; whichever is seen first is named.
    expect(failed.status?.conditions?.find((c) => c.type === 'Failed')?.message).toMatch(
      /^tj-always-(360p|tracks): failed 2 time\(s\); retries exhausted$/,
    );
  });

  it('cancels: stops the running Jobs and reports Cancelled', async () => {
    await apply('tj-cancel', 'videos/raw/1/c/slow.mp4');
    await eventually('its Jobs to exist', async () =>
      (await jobsOf('tj-cancel')).length === 3 ? true : undefined,
    );
    await custom.patchNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      name: 'tj-cancel',
      body: [{ op: 'add', path: '/spec/cancel', value: true }],
    });
    await eventually(
      'the TranscodeJob to be cancelled and its Jobs gone',
      async () => {
        const tj = await read('tj-cancel');
        const jobs = await jobsOf('tj-cancel');
        return tj.status?.phase === 'Cancelled' && jobs.length === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  });

  it('runs the finalizer cleanup before a deleted TranscodeJob goes away', async () => {
    await apply('tj-delete', 'videos/raw/1/d/slow.mp4');
    await eventually('its Jobs to exist', async () =>
      (await jobsOf('tj-delete')).length === 3 ? true : undefined,
    );
    await custom.deleteNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      name: 'tj-delete',
    });
    await eventually(
      'the TranscodeJob to be gone',
      async () => {
        try {
          await read('tj-delete');
          return undefined;
        } catch {
          return true;
        }
      },
      { timeoutMs: 60_000 },
    );
    expect(cleanedUp).toContain('tj-delete');
  });
});
