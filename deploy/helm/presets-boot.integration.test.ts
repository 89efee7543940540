// Every preset the chart ships boots: rendered with the real helm, each Deployment's
// container started from its image's entrypoint with exactly the environment the chart
// gives it (Secrets and ConfigMaps resolved from the rendered objects), and the transcode
// Job the controller would create, built from the controller's own rendered
// configuration, run for one rendition. Only what differs from a cluster is replaced:
// the external services become the test servers (Postgres, moto, an OIDC issuer),
// listeners bind 127.0.0.1 on free ports, the in-cluster kube credentials are the test
// control plane's, and IRSA's credentials are moto's test keys.

import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { loadConfig } from '@videoforge/platform/config';
import { ControllerConfig } from '../../controller/src/config.ts';
import { buildJobManifest } from '../../controller/src/kubernetes/job-manifest.builder.ts';
import { jobTemplateFromConfig } from '../../controller/src/kubernetes/job-template.ts';
import { createTestAws, testCredentialsEnv } from '../../test/support/aws.ts';
import { describeWith } from '../../test/support/components.ts';
import { createTestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import { storeTestClip } from '../../test/support/media.ts';
import { startProcess, waitUntil, type StartedProcess } from '../../test/support/process.ts';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../test/kube/kube-test-utils.ts';
import { chartDir, renderChart, type K8sObject } from '../test-support/deploy-test-utils.ts';
import { prepareLocalImages, type LocalImages } from '../test-support/local-images.ts';
import {
  bundleAddresses,
  existingSecrets,
  presets,
  startPresetOidc,
  substitutions,
  type Preset,
  type Servers,
} from '../test-support/preset-servers.ts';
import { resolveContainerEnv } from '../test-support/rendered-env.ts';

const release = 'vf';

type Pod = {
  spec: { template: { spec: { containers: V1Container[]; serviceAccountName?: string } } };
};

function deployments(objects: K8sObject[]): (K8sObject & Pod)[] {
  return objects.filter(
    (o): o is K8sObject & Pod =>
      o.kind === 'Deployment' &&
      // The kind bundle's PostgreSQL and moto are third-party images: the test servers stand in.
      !['postgres', 'moto'].includes(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
  );
}

describeWith(
  ['postgres', 's3', 'sqs', 'ffmpeg', 'kubernetes'],
  'every Helm preset boots with its rendered environment',
  () => {
    let images: LocalImages;
    let dir: string;
    beforeAll(async () => {
      images = await prepareLocalImages();
      dir = await mkdtemp(path.join(tmpdir(), 'vf-presets-'));
    });
    afterAll(async () => {
      await images?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    for (const preset of presets) {
      describe_(preset);
    }

    function describe_(preset: Preset): void {
      let servers: Servers;
      let core: CoreV1Api | undefined;
      let objects: K8sObject[];
      const started: StartedProcess[] = [];
      beforeAll(async () => {
        // A namespace of its own: the controller's Lease and informers live there.
        core = loadKubeConfig(inject('kubeconfig')).makeApiClient(CoreV1Api);
        const namespace = `boot-${preset}-${Date.now().toString(36)}`;
        await core.createNamespace({ body: { metadata: { name: namespace } } });
        servers = {
          db: await createTestDatabase(inject('postgresUrl'), { migrated: false }),
          aws: await createTestAws(inject('awsEndpoint')),
          oidc: await startPresetOidc(),
          namespace,
          kubeconfig: inject('kubeconfig'),
        };
      });
      afterAll(async () => {
        await Promise.all(started.map((p) => p.stop()));
        await servers?.oidc.provider.stop();
        await servers?.aws.close();
        await servers?.db.drop();
        if (servers)
          await core?.deleteNamespace({ name: servers.namespace }).catch(() => undefined);
      });

      /** A Deployment's container started as its pod would run it; resolves with its base URL once ready. */
      async function startDeployment(
        deployment: K8sObject & Pod,
      ): Promise<{ base: string; process: StartedProcess; env: Record<string, string> }> {
        const pod = deployment.spec.template.spec;
        const container = pod.containers[0];
        if (!container) throw new Error(`${deployment.metadata.name} has no container`);
        const identity = {
          namespace: servers.namespace,
          name: `${deployment.metadata.name}-0`,
          serviceAccountName: pod.serviceAccountName,
        };
        const rendered = resolveContainerEnv(container, objects, identity, {
          secrets: existingSecrets(servers),
        });
        const image = images.forReference(container.image ?? '');
        const port = await freePort();
        const local: Record<string, string> = {
          ...bundleAddresses(rendered, servers, release),
          // IRSA's credentials, where the pod has no keys of its own (only the kind bundle gives keys).
          ...(rendered.AWS_ACCESS_KEY_ID ? {} : testCredentialsEnv),
          ...(image.name === 'controller'
            ? {
                METRICS_HOST: '127.0.0.1',
                METRICS_PORT: String(port),
                KUBECONFIG: servers.kubeconfig,
              }
            : { HOST: '127.0.0.1', PORT: String(port) }),
        };
        const env = { ...image.env, PATH: images.path, ...rendered, ...local };
        const process_ = startProcess(
          image.entrypoint[0] ?? '',
          [...image.entrypoint.slice(1), ...image.cmd],
          {
            cwd: image.cwd,
            env,
          },
        );
        started.push(process_);
        const probe = container.readinessProbe?.httpGet?.path ?? '/readyz';
        const base = `http://127.0.0.1:${port}`;
        await waitUntil(
          async () => {
            if (process_.child.exitCode !== null) return true; // reported below
            return (await fetch(`${base}${probe}`, { signal: AbortSignal.timeout(2000) })).ok;
          },
          { timeoutMs: 45_000, describe: () => process_.output() },
        );
        // waitUntil saw the probe answer 200. No second look: a controller that has just
        // won the lease is rightly unready again while its informers sync.
        expect(
          process_.child.exitCode,
          `${deployment.metadata.name} exited:\n${process_.output()}`,
        ).toBeNull();
        return { base, process: process_, env };
      }

      it(`${preset}: every Deployment passes configuration and answers its readiness probe; the transcode Job runs one rendition`, async () => {
        const args =
          preset === 'default' ? [] : ['-f', path.join(chartDir, `values-${preset}.yaml`)];
        objects = await renderChart(
          [...args, ...substitutions(preset, servers)],
          release,
          servers.namespace,
        );
        const found = deployments(objects);
        expect(found.map((d) => d.metadata.name).sort()).toEqual([
          `${release}-videoforge-api`,
          `${release}-videoforge-controller`,
          `${release}-videoforge-web`,
        ]);
        const running = new Map<string, Awaited<ReturnType<typeof startDeployment>>>();
        // The API first: it migrates the database the controller then uses.
        for (const name of ['api', 'controller', 'web']) {
          const deployment = found.find((d) => d.metadata.name === `${release}-videoforge-${name}`);
          if (deployment) running.set(name, await startDeployment(deployment));
        }

        // In OIDC mode the API accepts the issuer's tokens (and only them).
        const api = running.get('api');
        if (!api) throw new Error('no API');
        if (preset === 'eks') {
          const token = await servers.oidc.token({
            subject: 'ada',
            email: 'ada@example.com',
            groups: ['admin'],
          });
          const me = await fetch(`${api.base}/api/auth/me`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          expect(me.status, await me.clone().text()).toBe(200);
          expect(
            (await fetch(`${api.base}/api/auth/me`, { headers: { Authorization: 'Bearer nope' } }))
              .status,
          ).toBe(401);
        }

        // The transcode Job the controller would create, from its rendered configuration.
        const controllerEnv = running.get('controller')?.env;
        if (!controllerEnv) throw new Error('no controller');
        const config = loadConfig(ControllerConfig, controllerEnv);
        const jobId = String(Date.now() % 1_000_000);
        const sourceKey = `videos/raw/1/00000000-0000-4000-8000-000000000001/clip.mp4`;
        await storeTestClip(servers.aws.storage, sourceKey, dir, { size: '426x240', seconds: 2 });
        const manifest = buildJobManifest(
          {
            apiVersion: 'videoforge.io/v1alpha1',
            kind: 'TranscodeJob',
            metadata: { name: `job-${jobId}`, namespace: servers.namespace, uid: 'boot' },
            spec: {} as never,
          },
          {
            jobId,
            source: { bucket: config.S3_BUCKET_NAME ?? '', key: sourceKey },
            renditions: [{ name: '240p', height: 240, videoBitrate: '300k' }],
            priority: 0,
            maxRetries: 0,
            strategy: 'perRendition',
          },
          {
            type: 'rendition',
            name: `job-${jobId}-240p`,
            rendition: { name: '240p', height: 240, videoBitrate: '300k' },
          },
          jobTemplateFromConfig(config),
        );
        const pod = manifest.spec?.template.spec;
        const container = pod?.containers[0];
        if (!container?.command) throw new Error('the transcode Job has no command');
        const jobEnv = resolveContainerEnv(
          container,
          objects,
          {
            namespace: servers.namespace,
            name: `job-${jobId}-240p-x`,
            serviceAccountName: pod?.serviceAccountName,
          },
          { secrets: existingSecrets(servers) },
        );
        const transcoder = images.forReference(container.image ?? '');
        const child = startProcess(
          container.command[0] ?? '',
          [...container.command.slice(1), ...(container.args ?? [])],
          {
            cwd: transcoder.cwd,
            env: {
              ...transcoder.env,
              PATH: images.path,
              ...jobEnv,
              ...bundleAddresses(jobEnv, servers, release),
              ...(jobEnv.AWS_ACCESS_KEY_ID ? {} : testCredentialsEnv),
              // The source's presigned URL points at moto on loopback, which the transcoder refuses by default.
              TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
            },
          },
        );
        started.push(child);
        const [code] = (await once(child.child, 'exit')) as [number | null];
        expect(code, child.output()).toBe(0);
        expect(
          await servers.aws.storage.head(`videos/output/${jobId}/240p/index.m3u8`),
        ).toBeDefined();
      }, 180_000);
    }
  },
);
