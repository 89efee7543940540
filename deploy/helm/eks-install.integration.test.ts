// `helm install` of the EKS preset onto the test control plane, end to end: the external
// endpoints set to the test servers with --set, the local node running the installed
// Deployments' pods from their images' entrypoints (free ports, readiness probes, the
// controller with its own ServiceAccount's token), an upload through the installed API
// with an OIDC bearer token, ending as a Succeeded TranscodeJob run by transcode Jobs.

import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CustomObjectsApi, NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { call } from '../../test/support/api-app.ts';
import { createTestAws, testCredentialsEnv } from '../../test/support/aws.ts';
import { describeWith } from '../../test/support/components.ts';
import { createTestDatabase } from '../../test/support/database.ts';
import { makeTestClip } from '../../test/support/media.ts';
import { waitUntil } from '../../test/support/process.ts';
import { errorCode, startKubeSuite, type KubeSuite } from '../../test/kube/kube-test-utils.ts';
import { chartDir, helm } from '../test-support/deploy-test-utils.ts';
import { prepareLocalImages, type LocalImages } from '../test-support/local-images.ts';
import {
  existingSecrets,
  startPresetOidc,
  substitutions,
  type Servers,
} from '../test-support/preset-servers.ts';
import { ensurePrometheusOperatorCrds } from '../test-support/prometheus-operator-crds.ts';

const release = 'vf';

/** Listen on the node's free port for each declared containerPort, on loopback. */
function listenOnMappedPorts(
  _pod: V1Pod,
  env: Record<string, string>,
  ports: ReadonlyMap<number, number>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['PORT', 'METRICS_PORT']) {
    const mapped = ports.get(Number(env[name]));
    if (mapped) out[name] = String(mapped);
  }
  for (const name of ['HOST', 'METRICS_HOST']) if (env[name] === '0.0.0.0') out[name] = '127.0.0.1';
  return out;
}

describeWith(
  ['kubernetes', 'postgres', 's3', 'sqs', 'ffmpeg'],
  'helm install of the EKS preset, end to end',
  () => {
    let images: LocalImages;
    let suite: KubeSuite;
    let servers: Servers;
    let installed = false;

    beforeAll(async () => {
      images = await prepareLocalImages();
      // One node in the transcode group runs every pod (no taint: the API and controller land there too).
      suite = await startKubeSuite(inject('kubeconfig'), 'eks', {
        labels: { 'videoforge.io/node-group': 'transcode' },
        baseEnv: {
          PATH: images.path,
          HOME: tmpdir(),
          // What IRSA gives each pod on EKS: credentials, here moto's.
          ...testCredentialsEnv,
          // Sources are presigned URLs to moto on loopback, which the transcoder refuses by default.
          TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
        },
        images: (reference) => {
          try {
            return images.forReference(reference);
          } catch {
            return undefined;
          }
        },
        remapPorts: listenOnMappedPorts,
        serviceAccountKubeconfigs: true,
      });
      servers = {
        db: await createTestDatabase(inject('postgresUrl'), { migrated: false }),
        aws: await createTestAws(inject('awsEndpoint')),
        oidc: await startPresetOidc(),
        namespace: suite.namespace,
        kubeconfig: inject('kubeconfig'),
      };
      // The Secrets docs/deploy.md has an operator create first.
      for (const [name, data] of Object.entries(existingSecrets(servers)))
        await suite.core.createNamespacedSecret({
          namespace: suite.namespace,
          body: { metadata: { name }, stringData: data },
        });
      // kube-prometheus-stack's CRDs, which the preset's ServiceMonitor and PrometheusRule need.
      await ensurePrometheusOperatorCrds(suite.kc);
    });
    afterAll(async () => {
      if (installed)
        await helm(
          ['uninstall', release, '--namespace', suite.namespace, '--wait', '--timeout', '60s'],
          { kubeconfig: inject('kubeconfig') },
        ).catch(() => undefined);
      await suite?.cleanup();
      await servers?.oidc.provider.stop();
      await servers?.aws.close();
      await servers?.db.drop();
      await images?.close();
    });

    const podsOf = async (component: string): Promise<V1Pod[]> =>
      (
        await suite.core.listNamespacedPod({
          namespace: suite.namespace,
          labelSelector: `app.kubernetes.io/component=${component},app.kubernetes.io/instance=${release}`,
        })
      ).items.filter((p) => !p.metadata?.deletionTimestamp);

    const baseOf = (pod: V1Pod, containerPort: number): string => {
      const port = suite.node.hostPort(suite.namespace, pod.metadata?.name ?? '', containerPort);
      if (!port)
        throw new Error(`pod ${pod.metadata?.name ?? ''} has no mapped port ${containerPort}`);
      return `http://127.0.0.1:${port}`;
    };

    it('installs with --wait: every Deployment rolls out, its pods pass their readiness probes', async () => {
      const out = await helm(
        [
          'install',
          release,
          chartDir,
          '--namespace',
          suite.namespace,
          '-f',
          path.join(chartDir, 'values-eks.yaml'),
          ...substitutions('eks', servers),
          // The run's control plane serves the CRD from crds/ for every suite; this release must not take it over.
          '--set',
          'crds.enabled=false',
          '--set',
          'config.queue.waitSeconds=1',
          // The namespace exists (as with --create-namespace); the preset labels it for Pod Security Admission.
          '--take-ownership',
          '--wait',
          '--timeout',
          '240s',
        ],
        { kubeconfig: inject('kubeconfig') },
      ).catch(async (error: unknown) => {
        const logs = await Promise.all(
          (await suite.core.listNamespacedPod({ namespace: suite.namespace })).items.map(
            async (p) =>
              `--- ${p.metadata?.name ?? ''} ${JSON.stringify(p.status?.containerStatuses?.[0]?.state)}\n${(
                await readFile(
                  suite.node.logPath({
                    namespace: suite.namespace,
                    name: p.metadata?.name ?? '',
                    uid: p.metadata?.uid ?? '',
                  }),
                  'utf8',
                ).catch(() => '')
              ).slice(-3000)}`,
          ),
        );
        throw new Error(`${String(error)}\n${logs.join('\n')}`, { cause: error });
      });
      installed = true;
      expect(out).toMatch(/STATUS: deployed/);
      for (const component of ['api', 'controller', 'web']) {
        const pods = await podsOf(component);
        expect(pods.length, component).toBeGreaterThan(0);
        for (const pod of pods)
          expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, component).toBe(
            'True',
          );
      }
      // Pod Security Admission enforces "restricted" on the namespace, and every pod above passed it.
      const namespace = await suite.core.readNamespace({ name: suite.namespace });
      expect(namespace.metadata?.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      const refused = await suite.core
        .createNamespacedPod({
          namespace: suite.namespace,
          body: {
            metadata: { name: 'wanders' },
            spec: { containers: [{ name: 'c', image: 'videoforge/transcoder:any' }] },
          },
        })
        .then(
          () => 201,
          (error: unknown) => errorCode(error),
        );
      expect(refused).toBe(403);
      // The transcode pods' egress allow-list, accepted by the API server.
      const policy = await suite.kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({
        name: `${release}-videoforge-transcoder`,
        namespace: suite.namespace,
      });
      expect(policy.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    }, 300_000);

    it('the API and every controller replica answer /readyz; an upload with an OIDC token ends as a Succeeded TranscodeJob', async () => {
      expect(installed).toBe(true);
      const [apiPod] = await podsOf('api');
      if (!apiPod) throw new Error('no API pod');
      const api = baseOf(apiPod, 8080);
      expect((await fetch(`${api}/readyz`)).status).toBe(200);
      for (const pod of await podsOf('controller'))
        expect((await fetch(`${baseOf(pod, 9090)}/readyz`)).status).toBe(200);

      const token = await servers.oidc.token({
        subject: 'grace',
        email: 'grace@example.com',
        groups: ['users'],
      });
      const clip = await readFile(
        await makeTestClip(tmpdir(), {
          size: '640x360',
          seconds: 2,
          name: `eks-${Date.now()}.mp4`,
        }),
      );
      const created = await call(api, 'POST', '/api/uploads', {
        token,
        body: { filename: 'eks.mp4', size: clip.length, contentType: 'video/mp4', title: 'EKS' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const upload = created.body as { uploadId: string; url: string };
      const put = await fetch(upload.url, {
        method: 'PUT',
        body: clip,
        headers: { 'Content-Type': 'video/mp4' },
      });
      expect(put.status).toBe(200);
      const completed = await call(api, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
        token,
        body: { formats: ['360p'] },
      });
      expect(completed.status, JSON.stringify(completed.body)).toBe(201);
      const { job } = completed.body as { job: { id: string } };

      const custom = suite.kc.makeApiClient(CustomObjectsApi);
      let phase = '';
      let status: unknown;
      await waitUntil(
        async () => {
          const tj = (await custom.getNamespacedCustomObject({
            group: 'videoforge.io',
            version: 'v1alpha1',
            plural: 'transcodejobs',
            namespace: suite.namespace,
            name: `job-${job.id}`,
          })) as { status?: { phase?: string } };
          phase = tj.status?.phase ?? '';
          status = tj.status;
          return phase === 'Succeeded' || phase === 'Failed';
        },
        { timeoutMs: 150_000, intervalMs: 1000, describe: () => `TranscodeJob phase ${phase}` },
      );
      if (phase !== 'Succeeded') {
        const logs = await Promise.all(
          (await suite.core.listNamespacedPod({ namespace: suite.namespace })).items.map(
            async (p) =>
              `--- ${p.metadata?.name ?? ''}\n${(
                await readFile(
                  suite.node.logPath({
                    namespace: suite.namespace,
                    name: p.metadata?.name ?? '',
                    uid: p.metadata?.uid ?? '',
                  }),
                  'utf8',
                ).catch(() => '')
              ).slice(-2000)}`,
          ),
        );
        throw new Error(`TranscodeJob ${phase}: ${JSON.stringify(status)}\n${logs.join('\n')}`);
      }
      // The renditions ran as transcode Jobs' pods, as the chart's transcoder ServiceAccount.
      const pods = (
        await suite.core.listNamespacedPod({
          namespace: suite.namespace,
          labelSelector: `videoforge.io/transcodejob=job-${job.id}`,
        })
      ).items;
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods)
        expect(pod.spec?.serviceAccountName).toBe(`${release}-videoforge-transcoder`);
      const video = await call(api, 'GET', `/api/jobs/${job.id}`, { token });
      expect(video.body).toMatchObject({ status: 'succeeded' });
    }, 240_000);
  },
);
