import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TranscodeJobResource } from '@videoforge/contracts';
import { createLogger } from '@videoforge/platform/logging';
import { describeWith } from '../../../test/support/components.ts';
import { startControlPlane, type ControlPlane } from '../../../test/kube/control-plane.ts';
import { eventually, startKubeSuite, type KubeSuite } from '../../../test/kube/kube-test-utils.ts';
import { startTranscodeJobController, type RunningController } from './transcode-job.controller.ts';

const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs' };

// A control plane of its own: restarting the shared one would disturb other suites.
describeWith(['kubernetes'], 'drill: kube-apiserver restarted mid-job', () => {
  let plane: ControlPlane;
  let suite: KubeSuite;
  let controller: RunningController;

  beforeAll(async () => {
    plane = await startControlPlane();
    suite = await startKubeSuite(plane.kubeconfigPath, 'restart', {
      labels: { 'videoforge.io/node-group': 'transcode' },
    });
    controller = await startTranscodeJobController({
      kubeConfig: suite.kc,
      namespace: suite.namespace,
      logger: createLogger({ service: 'restart-drill', level: 'silent' }),
      jobTemplate: {
        image: 'videoforge/transcoder:test',
        command: ['sh', '-c', '[ "$0" = finalize ] || sleep 6; exit 0'],
        nodeSelector: { 'videoforge.io/node-group': 'transcode' },
        tolerations: [],
        resources: {},
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 3600,
        env: [],
      },
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await suite?.cleanup();
    await plane?.stop();
  });

  it('loses no job and creates no duplicate Jobs', async () => {
    const custom = suite.kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      body: {
        apiVersion: 'videoforge.io/v1alpha1',
        kind: 'TranscodeJob',
        metadata: { name: 'survivor' },
        spec: {
          source: { bucket: 'video-forge-storage', key: 'videos/raw/1/a/clip.mp4' },
          renditions: [
            { name: '720p', height: 720, videoBitrate: '2000k' },
            { name: '480p', height: 480, videoBitrate: '1000k' },
          ],
        },
      },
    });
    const jobs = async () =>
      (
        await suite.batch.listNamespacedJob({
          namespace: suite.namespace,
          labelSelector: 'videoforge.io/transcodejob=survivor',
        })
      ).items;
    // Two rendition Jobs and the tracks Job (every audio track, encoded once).
    await eventually('the rendition and tracks Jobs to start', async () =>
      (await jobs()).length === 3 ? true : undefined,
    );

    await plane.restartApiServer();

    const done = await eventually(
      'the TranscodeJob to succeed after the restart',
      async () => {
        const tj = (await custom.getNamespacedCustomObject({
          ...crd,
          namespace: suite.namespace,
          name: 'survivor',
        })) as TranscodeJobResource;
        return tj.status?.phase === 'Succeeded' ? tj : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(done.status?.renditionsSummary).toBe('2/2');
    expect((await jobs()).map((j) => j.metadata?.name).sort()).toEqual([
      'survivor-480p',
      'survivor-720p',
      'survivor-finalize',
      'survivor-tracks',
    ]);
  });
});
