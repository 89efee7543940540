import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1Deployment,
  type V1EnvVar,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestAws, testCredentialsEnv, type TestAws } from '../../test/support/aws.ts';
import { describeWith } from '../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import {
  insertTestJob,
  insertTestUser,
  relayOutboxOnce,
  waitForJobToFinish,
} from '../../test/support/jobs.ts';
import { storeTestClip } from '../../test/support/media.ts';
import {
  startTranscodeKubeSuite,
  transcoderCommand,
} from '../../test/support/transcode-cluster.ts';
import { errorCode, kubectl, type KubeSuite } from '../../test/kube/kube-test-utils.ts';
import {
  chartDir,
  findObject,
  helm,
  renderChart,
  repoRoot,
  type K8sObject,
} from '../test-support/deploy-test-utils.ts';

const presets = {
  default: [],
  kind: ['-f', path.join(chartDir, 'values-kind.yaml')],
  eks: ['-f', path.join(chartDir, 'values-eks.yaml')],
};

type PodSpecHolder = {
  spec: {
    template: {
      spec: {
        containers: { name: string; securityContext?: Record<string, unknown>; env?: V1EnvVar[] }[];
        securityContext?: Record<string, unknown>;
      };
    };
  };
};

describe('the chart sources', () => {
  it('carries a byte-for-byte copy of crds/ (run deploy/helm/sync-crds.sh after editing crds/)', async () => {
    const source = (await readdir(path.join(repoRoot, 'crds')))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const copies = (await readdir(path.join(chartDir, 'files/crds'))).sort();
    expect(copies).toEqual(source);
    for (const file of source) {
      expect(await readFile(path.join(chartDir, 'files/crds', file), 'utf8'), file).toBe(
        await readFile(path.join(repoRoot, 'crds', file), 'utf8'),
      );
    }
  });

  it('documents every value in values.yaml and types it in values.schema.json', async () => {
    const schema = JSON.parse(
      await readFile(path.join(chartDir, 'values.schema.json'), 'utf8'),
    ) as {
      additionalProperties: boolean;
      definitions: Record<string, { additionalProperties?: unknown }>;
    };
    expect(schema.additionalProperties).toBe(false);
    const lines = (await readFile(path.join(chartDir, 'values.yaml'), 'utf8')).split('\n');
    const indentOf = (line: string) => /^\s*/.exec(line)?.[0].length ?? 0;
    const isKey = (line: string) => /^\s*[\w./-]+:/.test(line);
    // A key is documented by a "# --" comment block right above it, or by a documented ancestor key.
    const documented = (i: number): boolean => {
      let j = i - 1;
      while (j >= 0 && /^\s*#/.test(lines[j] ?? '') && !/^\s*# --/.test(lines[j] ?? '')) j--;
      if (/^\s*# --/.test(lines[j] ?? '')) return true;
      const indent = indentOf(lines[i] ?? '');
      for (let k = i - 1; k >= 0; k--) {
        const l = lines[k] ?? '';
        if (isKey(l) && indentOf(l) < indent) return documented(k);
      }
      return false;
    };
    const undocumented = lines.flatMap((line, i) =>
      isKey(line) && /:\s*\S/.test(line) && !documented(i) ? [`${i + 1}: ${line.trim()}`] : [],
    );
    expect(undocumented).toEqual([]);
  });
});

describeWith(['kubernetes'], 'the Helm chart: lint, template, schema', () => {
  it.each(Object.entries(presets))(
    'passes helm lint --strict with the %s values',
    async (_name, args) => {
      expect(await helm(['lint', chartDir, '--strict', ...args])).toMatch(
        /1 chart\(s\) linted, 0 chart\(s\) failed/,
      );
    },
  );

  it.each(Object.entries(presets))(
    'renders with the %s values: non-root, read-only pods, wiring as the processes expect',
    async (name, args) => {
      const objects = await renderChart(args);
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of [
        'CustomResourceDefinition',
        'Deployment',
        'Service',
        'ServiceAccount',
        'Role',
        'RoleBinding',
        'PodDisruptionBudget',
        'NetworkPolicy',
        'ConfigMap',
      ]) {
        expect(kinds, kind).toContain(kind);
      }
      if (name === 'eks')
        for (const kind of [
          'HorizontalPodAutoscaler',
          'Ingress',
          'ServiceMonitor',
          'PrometheusRule',
        ])
          expect(kinds, kind).toContain(kind);
      for (const d of objects.filter(
        (o) =>
          o.kind === 'Deployment' &&
          o.metadata.labels?.['app.kubernetes.io/component'] !== 'postgres' &&
          o.metadata.labels?.['app.kubernetes.io/component'] !== 'moto',
      )) {
        const pod = (d as unknown as PodSpecHolder).spec.template.spec;
        expect(pod.securityContext, d.metadata.name).toMatchObject({ runAsNonRoot: true });
        for (const c of pod.containers)
          expect(c.securityContext, `${d.metadata.name}/${c.name}`).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
          });
      }
      const controller = findObject(
        objects,
        'Deployment',
        'vf-videoforge-controller',
      ) as unknown as PodSpecHolder;
      const env = new Map(
        (controller.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e]),
      );
      expect(JSON.parse(env.get('TRANSCODE_NODE_SELECTOR')?.value ?? '')).toEqual({
        'videoforge.io/node-group': 'transcode',
      });
      expect(JSON.parse(env.get('TRANSCODE_TOLERATIONS')?.value ?? '')).toEqual([
        { key: 'videoforge.io/transcode', operator: 'Exists', effect: 'NoSchedule' },
      ]);
      expect(
        Object.keys(JSON.parse(env.get('TRANSCODE_RESOURCES')?.value ?? '{}') as object),
      ).toContain('default');
      expect(env.get('METRICS_HOST')?.value).toBe('0.0.0.0');
      expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
      // No secret values in the rendered objects, only references (the kind bundle generates its own).
      if (name !== 'kind') expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      const sa = objects.filter((o) => o.kind === 'ServiceAccount');
      if (name === 'eks')
        for (const a of sa.filter((s) => !s.metadata.name.endsWith('-web')))
          expect(a.metadata.annotations?.['eks.amazonaws.com/role-arn'], a.metadata.name).toMatch(
            /^arn:aws:iam::/,
          );
    },
  );

  it('closes registration, trusts one proxy hop, verifies the database certificate, drains on stop, and gives the web its CSP origins', async () => {
    const objects = await renderChart([
      ...['--set', 'config.database.urlSecret.name=', '--set', 'config.database.host=db'],
      ...['--set', 'config.database.passwordSecret.name=db-password'],
      ...['--set', 'config.database.caBundle.configMap=rds-ca'],
      ...['--set', 'config.storage.bucket=media', '--set', 'config.storage.region=eu-west-1'],
    ]);
    const pod = (name: string) =>
      (findObject(objects, 'Deployment', name) as unknown as PodSpecHolder).spec.template.spec;
    const envOf = (name: string) =>
      new Map((pod(name).containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    const api = envOf('vf-videoforge-api');
    expect(api.get('REGISTRATION')).toBe('closed');
    expect(api.get('TRUST_PROXY')).toBe('1');
    expect(api.get('DB_SSL')).toBe('verify-full');
    for (const component of ['vf-videoforge-api', 'vf-videoforge-controller'])
      expect(envOf(component).get('NODE_EXTRA_CA_CERTS')).toBe(
        '/etc/videoforge/database-ca/global-bundle.pem',
      );
    const apiPod = pod('vf-videoforge-api') as unknown as {
      terminationGracePeriodSeconds: number;
      containers: { lifecycle?: unknown }[];
    };
    expect(apiPod.containers[0]?.lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(apiPod.terminationGracePeriodSeconds).toBeGreaterThan(10 + 25);
    expect(envOf('vf-videoforge-web').get('CSP_STORAGE_ORIGINS')).toBe(
      'https://media.s3.eu-west-1.amazonaws.com,https://s3.eu-west-1.amazonaws.com',
    );
  });

  it('renders the TranscodeJob CRD from crds/ unchanged, kept on uninstall, and only when crds.enabled', async () => {
    const source = (await import('@kubernetes/client-node')).loadYaml<
      K8sObject & { spec: unknown }
    >(await readFile(path.join(repoRoot, 'crds/transcodejobs.videoforge.io.yaml'), 'utf8'));
    const crd = findObject(await renderChart(), 'CustomResourceDefinition') as K8sObject & {
      spec: unknown;
    };
    expect(JSON.parse(JSON.stringify(crd.spec))).toEqual(JSON.parse(JSON.stringify(source.spec)));
    expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    expect(
      (await renderChart(['--set', 'crds.enabled=false'])).filter(
        (o) => o.kind === 'CustomResourceDefinition',
      ),
    ).toEqual([]);
  });

  it('gives the controller one least-privilege Role: the Lease by name, nothing cluster-wide', async () => {
    const objects = await renderChart();
    expect(
      objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding'),
    ).toEqual([]);
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => r.metadata.name)).toEqual(['vf-videoforge-controller']);
    const rules = (
      roles[0] as unknown as {
        rules: {
          apiGroups: string[];
          resources: string[];
          verbs: string[];
          resourceNames?: string[];
        }[];
      }
    ).rules;
    expect(rules.flatMap((r) => r.verbs)).not.toContain('*');
    const lease = rules.filter((r) => r.resources.includes('leases'));
    expect(lease).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['videoforge-controller'],
        verbs: ['get', 'update', 'patch'],
      },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    expect(rules.find((r) => r.resources.includes('pods'))?.verbs).toEqual([
      'get',
      'list',
      'watch',
    ]);
    for (const component of ['api', 'web', 'transcoder']) {
      expect(findObject(objects, 'ServiceAccount', `vf-videoforge-${component}`)).toMatchObject({
        automountServiceAccountToken: false,
      });
    }
  });

  it('rejects a typo in a key and a value of the wrong type (values.schema.json)', async () => {
    await expect(renderChart(['--set', 'api.replicaCont=3'])).rejects.toThrow(
      /additional properties 'replicaCont' not allowed|replicaCont/,
    );
    await expect(renderChart(['--set', 'api.replicaCount=three'])).rejects.toThrow(
      /replicaCount.*(integer|got string)|got string, want integer/s,
    );
    await expect(renderChart(['--set', 'config.queue.driver=kafka'])).rejects.toThrow(/driver/);
    await expect(
      renderChart(['--set', 'transcoder.resources.default.requests.cpu=lots']),
    ).rejects.toThrow(/cpu|pattern/);
  });

  it('refuses to render without required settings instead of starting a broken release', async () => {
    await expect(
      renderChart(['--set', 'config.database.urlSecret.name=', '--set', 'config.database.host=']),
    ).rejects.toThrow(/config\.database\.host/);
    await expect(renderChart(['--set', 'config.queue.driver=sqs'])).rejects.toThrow(/sqsQueueUrl/);
  });
});

/**
 * `helm install` on the real test control plane, then the operator process run with the
 * chart's own controller environment and the chart's ServiceAccount identity (a
 * TokenRequest token): the whole flow from SQS to finished renditions works within the
 * Role, and anything outside it is refused.
 */
describeWith(
  ['kubernetes', 'postgres', 's3', 'sqs', 'ffmpeg'],
  'the chart installed on the test control plane',
  () => {
    const release = 'vf';
    let suite: KubeSuite;
    let db: TestDatabase;
    let dir: string;
    let aws: TestAws;
    let saKubeconfig: string;
    let saConfig: KubeConfig;
    let operator: { child: ChildProcess; output(): string } | undefined;
    const endpoint = () => inject('awsEndpoint');

    beforeAll(async () => {
      // The transcoder's TRANSCODE_PRESET comes from the chart's transcoder env (values below).
      suite = await startTranscodeKubeSuite(inject('kubeconfig'), 'chart');
      db = await createTestDatabase(inject('postgresUrl'));
      dir = await mkdtemp(path.join(tmpdir(), 'vf-chart-'));
      aws = await createTestAws(endpoint());
      // The existing Secret the chart references by default (no secrets in values).
      await suite.core.createNamespacedSecret({
        namespace: suite.namespace,
        body: { metadata: { name: 'videoforge-database' }, stringData: { DATABASE_URL: db.url } },
      });
    });
    afterAll(async () => {
      if (operator && operator.child.exitCode === null && operator.child.signalCode === null) {
        operator.child.kill('SIGTERM');
        await once(operator.child, 'exit');
      }
      await aws?.close();
      await helm(
        ['uninstall', release, '--namespace', suite.namespace, '--wait', '--timeout', '60s'],
        { kubeconfig: inject('kubeconfig') },
      ).catch(() => undefined);
      await suite?.cleanup();
      await db?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('installs: every object is accepted by the API server', async () => {
      const values = path.join(dir, 'values-test.yaml');
      await writeFile(
        values,
        [
          // The run's control plane already serves the CRD (installed from crds/ for every
          // suite), which this release must not take over, nor touch: even a server-side
          // dry-run apply of it broke another suite's TranscodeJob flow. The rendered CRD is
          // proven identical to crds/ above, and crds/ is what this API server serves.
          'crds: { enabled: false }',
          'config:',
          `  storage: { bucket: ${aws.bucket}, endpoint: "${endpoint()}" }`,
          `  queue: { driver: sqs, sqsQueueUrl: "${aws.queueUrl}", sqsEndpoint: "${endpoint()}", waitSeconds: 1 }`,
          // Images cannot run here: the Deployments stay at zero and the test runs the processes.
          'api: { replicaCount: 0, autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 70 } }',
          'controller: { replicaCount: 0 }',
          'web: { replicaCount: 0 }',
          'ingress: { enabled: true, host: videoforge.test }',
          'transcoder: { env: { TRANSCODE_PRESET: ultrafast } }',
        ].join('\n'),
      );
      const out = await helm(
        [
          'install',
          release,
          chartDir,
          '--namespace',
          suite.namespace,
          '-f',
          values,
          '--wait',
          '--timeout',
          '90s',
        ],
        { kubeconfig: inject('kubeconfig') },
      );
      expect(out).toMatch(/STATUS: deployed/);
      const listed = (
        await kubectl(inject('kubeconfig'), [
          'get',
          'deploy,svc,sa,role,rolebinding,pdb,networkpolicy,ingress,configmap',
          '-n',
          suite.namespace,
          '-o',
          'name',
        ])
      ).stdout;
      for (const name of [
        'deployment.apps/vf-videoforge-api',
        'deployment.apps/vf-videoforge-controller',
        'deployment.apps/vf-videoforge-web',
        'serviceaccount/vf-videoforge-controller',
        'role.rbac.authorization.k8s.io/vf-videoforge-controller',
        'ingress.networking.k8s.io/vf-videoforge',
        'configmap/vf-videoforge-dashboard',
      ]) {
        expect(listed).toContain(name);
      }
    });

    it('runs the whole flow as the controller ServiceAccount with the chart-rendered environment, and is refused outside its Role', async () => {
      const admin = suite.kc;
      const core = admin.makeApiClient(CoreV1Api);
      const token = await core.createNamespacedServiceAccountToken({
        name: `${release}-videoforge-controller`,
        namespace: suite.namespace,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      const cluster = admin.getCurrentCluster();
      if (!cluster) throw new Error('no cluster in the kubeconfig');
      saConfig = new KubeConfig();
      saConfig.loadFromOptions({
        clusters: [cluster],
        users: [{ name: 'controller', token: token.status?.token ?? '' }],
        contexts: [
          {
            name: 'controller',
            cluster: cluster.name,
            user: 'controller',
            namespace: suite.namespace,
          },
        ],
        currentContext: 'controller',
      });
      saKubeconfig = path.join(dir, 'controller.kubeconfig');
      await writeFile(saKubeconfig, saConfig.exportConfig(), { mode: 0o600 });

      // The controller container's env exactly as the release rendered it, valueFrom resolved as a kubelet would.
      const deployment = (
        await kubectl(inject('kubeconfig'), [
          'get',
          'deploy',
          `${release}-videoforge-controller`,
          '-n',
          suite.namespace,
          '-o',
          'json',
        ])
      ).stdout;
      const container = (JSON.parse(deployment) as V1Deployment).spec?.template.spec?.containers[0];
      const env: Record<string, string> = {};
      for (const e of container?.env ?? []) {
        if (e.value !== undefined) env[e.name] = e.value;
        else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace')
          env[e.name] = suite.namespace;
        else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name')
          env[e.name] = `${release}-videoforge-controller-0`;
        else if (e.valueFrom?.secretKeyRef) {
          const secret = await core.readNamespacedSecret({
            name: e.valueFrom.secretKeyRef.name ?? '',
            namespace: suite.namespace,
          });
          env[e.name] = Buffer.from(
            secret.data?.[e.valueFrom.secretKeyRef.key] ?? '',
            'base64',
          ).toString();
        } else throw new Error(`unhandled env ${e.name}`);
      }
      expect(env).toMatchObject({
        TRANSCODER_SERVICE_ACCOUNT: `${release}-videoforge-transcoder`,
        TRANSCODER_ENV_CONFIGMAP: `${release}-videoforge-transcoder-env`,
        LEASE_NAME: 'videoforge-controller',
      });
      const metricsPort = await freePort();
      let output = '';
      const child = spawn(process.execPath, [path.join(repoRoot, 'controller/src/main.ts')], {
        env: {
          ...env,
          // What differs from a pod: loopback, a free port, the image's entrypoint as a local command, AWS test keys.
          PATH: process.env.PATH ?? '',
          KUBECONFIG: saKubeconfig,
          METRICS_HOST: '127.0.0.1',
          METRICS_PORT: String(metricsPort),
          TRANSCODER_COMMAND: JSON.stringify(transcoderCommand),
          ...testCredentialsEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      operator = { child, output: () => output };

      await storeTestClip(aws.storage, 'videos/raw/1/chart/clip.mp4', dir, {
        size: '854x480',
        seconds: 2,
      });
      const jobId = await insertTestJob(db.sql, {
        userId: await insertTestUser(db.sql, 'ada'),
        title: 'chart',
        sourceKey: 'videos/raw/1/chart/clip.mp4',
        formats: ['480p', '360p'],
      });
      await relayOutboxOnce(db.sql, aws.queue);

      const row = await waitForJobToFinish(db.sql, jobId, {
        timeoutMs: 150_000,
        intervalMs: 500,
        output: () => output.slice(-4000),
        stopWhen: () => child.exitCode !== null,
      });
      expect(row, output.slice(-4000)).toMatchObject({
        status: 'succeeded',
        video_status: 'ready',
      });
      expect(await aws.storage.head(`videos/output/${jobId}/master.m3u8`)).toBeDefined();
      // The Job pods ran as the chart's transcoder ServiceAccount.
      const pods = await suite.core.listNamespacedPod({
        namespace: suite.namespace,
        labelSelector: `videoforge.io/transcodejob=job-${jobId}`,
      });
      expect(pods.items.length).toBeGreaterThan(0);
      for (const pod of pods.items)
        expect(pod.spec?.serviceAccountName).toBe(`${release}-videoforge-transcoder`);
      const tj = (await saConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: 'videoforge.io',
        version: 'v1alpha1',
        plural: 'transcodejobs',
        namespace: suite.namespace,
        name: `job-${jobId}`,
      })) as { status: { phase: string } };
      expect(tj.status.phase).toBe('Succeeded');
      expect(output).not.toMatch(/forbidden/i);

      // Outside the Role: refused by the API server.
      const asController = saConfig.makeApiClient(CoreV1Api);
      const refused = async (what: () => Promise<unknown>) => {
        try {
          await what();
        } catch (error) {
          return errorCode(error);
        }
        return 200;
      };
      expect(
        await refused(() =>
          asController.createNamespacedSecret({
            namespace: suite.namespace,
            body: { metadata: { name: 'stolen' }, stringData: { a: 'b' } },
          }),
        ),
      ).toBe(403);
      expect(
        await refused(() =>
          asController.readNamespacedSecret({
            name: 'videoforge-database',
            namespace: suite.namespace,
          }),
        ),
      ).toBe(403);
      expect(await refused(() => asController.deleteNode({ name: suite.node.nodeName }))).toBe(403);
      expect(
        await refused(() =>
          asController.deleteNamespacedPod({
            name: pods.items[0]?.metadata?.name ?? 'x',
            namespace: suite.namespace,
          }),
        ),
      ).toBe(403);
      expect(await refused(() => asController.listNamespacedPod({ namespace: 'default' }))).toBe(
        403,
      );
      const leases = (await import('@kubernetes/client-node')).CoordinationV1Api;
      expect(
        await refused(() =>
          saConfig
            .makeApiClient(leases)
            .readNamespacedLease({ name: 'someone-elses-lease', namespace: suite.namespace }),
        ),
      ).toBe(403);
    }, 180_000);
  },
);
