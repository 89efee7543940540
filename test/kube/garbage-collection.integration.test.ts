import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { CustomObjectsApi, type V1OwnerReference } from '@kubernetes/client-node';
import { describeWith } from '../support/components.ts';
import {
  errorCode,
  eventually,
  jobManifest,
  startKubeSuite,
  type KubeSuite,
} from './kube-test-utils.ts';

describeWith(['kubernetes'], 'garbage collection of owned objects', () => {
  let suite: KubeSuite;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    suite = await startKubeSuite(inject('kubeconfig'), 'gc');
    custom = suite.kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await suite?.cleanup();
  });

  const gone = async (read: () => Promise<unknown>): Promise<true | undefined> => {
    try {
      await read();
      return undefined;
    } catch (error) {
      if (errorCode(error) === 404) return true;
      throw error;
    }
  };

  it('deletes a ConfigMap whose owner is deleted', async () => {
    const { namespace, core } = suite;
    const owner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner' } },
    });
    const ref: V1OwnerReference = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata?.uid ?? '',
    };
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'dependent', ownerReferences: [ref] } },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace });
    await eventually('the dependent to be collected', () =>
      gone(() => core.readNamespacedConfigMap({ name: 'dependent', namespace })),
    );
  });

  it('deletes the Jobs (and their pods) a TranscodeJob controls when the TranscodeJob is deleted', async () => {
    const { namespace, batch, core } = suite;
    const tj = (await custom.createNamespacedCustomObject({
      group: 'videoforge.io',
      version: 'v1alpha1',
      namespace,
      plural: 'transcodejobs',
      body: {
        apiVersion: 'videoforge.io/v1alpha1',
        kind: 'TranscodeJob',
        metadata: { name: 'job-7' },
        spec: {
          jobId: '7',
          videoId: '3',
          source: { bucket: 'video-forge-storage', key: 'videos/raw/3.mp4' },
          renditions: [{ name: '720p', height: 720, videoBitrate: '2500k' }],
          outputPrefix: 'videos/output/7/',
        },
      },
    })) as { metadata?: { uid?: string } };
    // What the operator does: a deterministic child name and a controller owner reference.
    const job = jobManifest('job-7-720p', { command: ['sh', '-c', 'exec sleep 300'] });
    job.metadata = {
      name: 'job-7-720p',
      ownerReferences: [
        {
          apiVersion: 'videoforge.io/v1alpha1',
          kind: 'TranscodeJob',
          name: 'job-7',
          uid: tj.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    };
    await batch.createNamespacedJob({ namespace, body: job });
    await eventually('the rendition pod to run', async () => {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: 'batch.kubernetes.io/job-name=job-7-720p',
      });
      return pods.items[0]?.status?.phase === 'Running' ? true : undefined;
    });

    await custom.deleteNamespacedCustomObject({
      group: 'videoforge.io',
      version: 'v1alpha1',
      namespace,
      plural: 'transcodejobs',
      name: 'job-7',
      propagationPolicy: 'Background',
    });
    await eventually('the Job to be collected', () =>
      gone(() => batch.readNamespacedJob({ name: 'job-7-720p', namespace })),
    );
    await eventually('its pod to be collected', async () => {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: 'batch.kubernetes.io/job-name=job-7-720p',
      });
      return pods.items.length === 0 ? true : undefined;
    });
    expect(
      (
        await core.listNamespacedPod({
          namespace,
          labelSelector: 'batch.kubernetes.io/job-name=job-7-720p',
        })
      ).items,
    ).toEqual([]);
  });
});
