// Per-Job storage credentials on a real API server, minted by moto's STS: each batch Job
// mounts its own Secret, the Secret is owned by that Job, and no storage key is in the pod.

import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createLogger } from '@videoforge/platform/logging';
import {
  createJobCredentialsIssuer,
  JOB_CREDENTIALS_FILE,
  JOB_CREDENTIALS_MOUNT,
} from '@videoforge/platform/storage';
import { describeWith } from '../../../test/support/components.ts';
import { testCredentials, testRegion } from '../../../test/support/aws.ts';
import { eventually, startKubeSuite, type KubeSuite } from '../../../test/kube/kube-test-utils.ts';
import { startTranscodeJobController, type RunningController } from './transcode-job.controller.ts';
import { testJobTemplate } from '../testing/test-job-template.ts';

const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs' };
const source = 'videos/raw/7/0b8f5c4e-8d2a-4c1e-9f6b-2a7d3c4e5f60/slow.mp4';

describeWith(['kubernetes', 's3'], 'per-Job storage credentials on a real API server', () => {
  let suite: KubeSuite;
  let controller: RunningController;
  const issuer = () =>
    createJobCredentialsIssuer({
      roleArn: 'arn:aws:iam::123456789012:role/videoforge-transcoder',
      region: testRegion,
      endpoint: inject('awsEndpoint'),
      credentials: testCredentials,
    });

  beforeAll(async () => {
    suite = await startKubeSuite(inject('kubeconfig'), 'creds', {
      labels: { 'videoforge.io/node-group': 'transcode' },
    });
    controller = await startTranscodeJobController({
      kubeConfig: suite.kc,
      namespace: suite.namespace,
      logger: createLogger({ service: 'controller-test', level: 'warn' }),
      jobTemplate: testJobTemplate(['sh', '-c', 'sleep 60'], { perJobCredentials: true }),
      jobCredentials: issuer(),
    });
  });
  afterAll(async () => {
    await controller?.stop();
    await suite?.cleanup();
  });

  it('gives each Job its own Secret, owned by the Job, mounted, and no storage key in the pod', async () => {
    await suite.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...crd,
      namespace: suite.namespace,
      body: {
        apiVersion: 'videoforge.io/v1alpha1',
        kind: 'TranscodeJob',
        metadata: { name: 'tj-creds' },
        spec: {
          jobId: '42',
          videoId: '17',
          source: { bucket: 'video-forge-storage', key: source },
          renditions: [{ name: '720p', height: 720, videoBitrate: '2000k', audioBitrate: '96k' }],
        },
      },
    });
    const jobs = await eventually(
      'the rendition and tracks Jobs',
      async () => {
        const { items } = await suite.batch.listNamespacedJob({
          namespace: suite.namespace,
          labelSelector: 'videoforge.io/transcodejob=tj-creds',
        });
        return items.length >= 2 ? items : undefined;
      },
      { timeoutMs: 30_000 },
    );

    for (const job of jobs) {
      const jobName = job.metadata?.name ?? '';
      const secretName = `${jobName}-storage`;
      const pod = job.spec?.template.spec;
      const container = pod?.containers[0];
      const volume = pod?.volumes?.find((v) => v.secret?.secretName === secretName)?.name;
      expect(volume).toBeDefined();
      expect(container?.volumeMounts).toContainEqual(
        expect.objectContaining({ name: volume, mountPath: JOB_CREDENTIALS_MOUNT, readOnly: true }),
      );
      // No long-lived key, by value or by reference; only the config file's location.
      const envNames = (container?.env ?? []).map((e) => e.name);
      expect(envNames).not.toContain('AWS_ACCESS_KEY_ID');
      expect(envNames).not.toContain('AWS_SECRET_ACCESS_KEY');
      expect(container?.envFrom ?? []).toEqual([]);
      expect(envNames).toContain('AWS_CONFIG_FILE');

      const secret = await eventually(
        `the Secret ${secretName}`,
        () =>
          suite.core
            .readNamespacedSecret({ name: secretName, namespace: suite.namespace })
            .catch(() => undefined),
        { timeoutMs: 30_000 },
      );
      expect(secret.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: jobName,
          uid: job.metadata?.uid,
        }),
      ]);
      const credentials = JSON.parse(
        Buffer.from(secret.data?.[JOB_CREDENTIALS_FILE] ?? '', 'base64').toString(),
      ) as Record<string, string>;
      // Temporary STS credentials (a session token, an expiry), not the controller's key.
      expect(credentials).toMatchObject({ Version: 1 });
      expect(credentials.SessionToken).toBeTruthy();
      expect(credentials.AccessKeyId).not.toBe(testCredentials.accessKeyId);
      expect(new Date(credentials.Expiration ?? 0).getTime()).toBeGreaterThan(Date.now());
    }
    // Two Jobs, two different sessions.
    const keys = new Set<string>();
    for (const job of jobs) {
      const secret = await suite.core.readNamespacedSecret({
        name: `${job.metadata?.name ?? ''}-storage`,
        namespace: suite.namespace,
      });
      keys.add(
        (
          JSON.parse(
            Buffer.from(secret.data?.[JOB_CREDENTIALS_FILE] ?? '', 'base64').toString(),
          ) as { AccessKeyId: string }
        ).AccessKeyId,
      );
    }
    expect(keys.size).toBe(jobs.length);
  });
});
