import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { describeWith } from '../support/components.ts';
import {
  eventually,
  kubectl,
  findCondition,
  jobManifest,
  sleep,
  startKubeSuite,
  waitForJobFinished,
  type KubeSuite,
} from './kube-test-utils.ts';
import type { PodLogLine } from './local-node.ts';

// Jobs go through the real job controller; only the kubelet is stood in for.
describeWith(['kubernetes'], 'batch/v1 Jobs on the local node', () => {
  let suite: KubeSuite;
  const lines: PodLogLine[] = [];

  beforeAll(async () => {
    suite = await startKubeSuite(inject('kubeconfig'), 'jobs', {
      labels: { 'videoforge.io/node-group': 'transcode' },
      onLog: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    await suite?.cleanup();
  });

  const podsOf = async (job: string): Promise<V1Pod[]> =>
    (
      await suite.core.listNamespacedPod({
        namespace: suite.namespace,
        labelSelector: `batch.kubernetes.io/job-name=${job}`,
      })
    ).items;
  const exitCodes = (pods: V1Pod[]): (number | undefined)[] =>
    pods.map((p) => p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode);

  it("completes a Job whose pod runs sh -c 'exit 0'", async () => {
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('ok', { command: ['sh', '-c', 'exit 0'] }),
    });
    const job = await waitForJobFinished(suite.batch, suite.namespace, 'ok');
    expect(findCondition(job, 'Complete')).toBeDefined();
    expect(job.status?.succeeded).toBe(1);
    const pods = await podsOf('ok');
    expect(pods).toHaveLength(1);
    expect(pods[0]?.spec?.nodeName).toBe(suite.node.nodeName);
    expect(pods[0]?.status?.phase).toBe('Succeeded');
    expect(exitCodes(pods)).toEqual([0]);
  });

  it('ends the whole process group when the main process exits, as a container does', async () => {
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('leaves-child', { command: ['sh', '-c', 'sleep 300 & echo spawned'] }),
    });
    const job = await waitForJobFinished(suite.batch, suite.namespace, 'leaves-child', 20_000);
    expect(findCondition(job, 'Complete')).toBeDefined();
  });

  it('retries a failing pod backoffLimit times, then fails the Job', async () => {
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('fails', { command: ['sh', '-c', 'exit 1'], backoffLimit: 1 }),
    });
    const job = await waitForJobFinished(suite.batch, suite.namespace, 'fails');
    expect(findCondition(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const pods = await podsOf('fails');
    expect(pods).toHaveLength(2);
    expect(pods.map((p) => p.status?.phase)).toEqual(['Failed', 'Failed']);
    expect(exitCodes(pods)).toEqual([1, 1]);
  });

  it('fails the Job without retrying when a podFailurePolicy matches the exit code', async () => {
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('fatal', {
        command: ['sh', '-c', 'echo "unsupported codec" >&2; exit 2'],
        backoffLimit: 3,
        podFailurePolicy: {
          rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [2] } }],
        },
      }),
    });
    const job = await waitForJobFinished(suite.batch, suite.namespace, 'fatal');
    expect(findCondition(job, 'Failed')?.reason).toBe('PodFailurePolicy');
    const pods = await podsOf('fatal');
    expect(pods).toHaveLength(1);
    expect(exitCodes(pods)).toEqual([2]);
    // FallbackToLogsOnError: the tail of the output becomes the termination message.
    expect(pods[0]?.status?.containerStatuses?.[0]?.state?.terminated?.message).toContain(
      'unsupported codec',
    );
  });

  it('passes env (literal, $(VAR), secretKeyRef, fieldRef) and streams logs to a file and a callback', async () => {
    await suite.core.createNamespacedSecret({
      namespace: suite.namespace,
      body: { metadata: { name: 'creds' }, stringData: { token: 's3cret' } },
    });
    const manifest = jobManifest('env', {
      command: ['sh', '-c', 'echo "greeting=$GREETING token=$TOKEN pod=$POD"; echo to-stderr >&2'],
    });
    const container = manifest.spec?.template.spec?.containers[0];
    if (!container) throw new Error('no container');
    container.env = [
      { name: 'NAME', value: 'forge' },
      { name: 'GREETING', value: 'hello $(NAME)' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    await suite.batch.createNamespacedJob({ namespace: suite.namespace, body: manifest });
    const job = await waitForJobFinished(suite.batch, suite.namespace, 'env');
    expect(findCondition(job, 'Complete')).toBeDefined();
    const [pod] = await podsOf('env');
    const meta = pod?.metadata;
    if (!meta?.name || !meta.uid) throw new Error('no pod');
    const expected = `greeting=hello forge token=s3cret pod=${meta.name}`;
    const log = await readFile(
      suite.node.logPath({ namespace: suite.namespace, name: meta.name, uid: meta.uid }),
      'utf8',
    );
    expect(log).toContain(expected);
    expect(log).toContain('to-stderr');
    expect(lines).toContainEqual({
      namespace: suite.namespace,
      pod: meta.name,
      container: 'main',
      stream: 'stdout',
      line: expected,
    });
    expect(lines).toContainEqual({
      namespace: suite.namespace,
      pod: meta.name,
      container: 'main',
      stream: 'stderr',
      line: 'to-stderr',
    });
    // kubectl logs: API server → the local node's kubelet port → the log file.
    const logs = await kubectl(inject('kubeconfig'), ['logs', '-n', suite.namespace, meta.name]);
    expect(logs.stdout).toBe(`${expected}\nto-stderr\n`);
    const tail = await kubectl(inject('kubeconfig'), [
      'logs',
      '-n',
      suite.namespace,
      meta.name,
      '--tail=1',
    ]);
    expect(tail.stdout).toBe('to-stderr\n');
  });

  it('binds only pods whose nodeSelector matches its labels', async () => {
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('selected', {
        command: ['true'],
        nodeSelector: { 'videoforge.io/node-group': 'transcode' },
      }),
    });
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('elsewhere', {
        command: ['true'],
        nodeSelector: { 'videoforge.io/node-group': 'gpu' },
      }),
    });
    expect(
      findCondition(await waitForJobFinished(suite.batch, suite.namespace, 'selected'), 'Complete'),
    ).toBeDefined();
    const [pod] = await eventually('the unschedulable pod', async () => {
      const pods = await podsOf('elsewhere');
      return pods.length > 0 ? pods : undefined;
    });
    // Give the node a few resync periods to (wrongly) take it.
    await sleep(3000);
    const after = await suite.core.readNamespacedPod({
      name: pod?.metadata?.name ?? '',
      namespace: suite.namespace,
    });
    expect(after.spec?.nodeName).toBeUndefined();
    expect(after.status?.phase).toBe('Pending');
  });

  it('kills the process when its pod is deleted, then removes the pod', async () => {
    await suite.batch.createNamespacedJob({
      namespace: suite.namespace,
      body: jobManifest('long', { command: ['sh', '-c', 'echo started; exec sleep 300'] }),
    });
    const pod = await eventually('a running pod', async () => {
      const [p] = await podsOf('long');
      return p?.status?.phase === 'Running' &&
        lines.some((l) => l.pod === p.metadata?.name && l.line === 'started')
        ? p
        : undefined;
    });
    const containerId = pod.status?.containerStatuses?.[0]?.containerID ?? '';
    const pid = Number(containerId.replace('local://', ''));
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).not.toThrow();

    // Deleting the Job in the foreground deletes its pods through the garbage collector.
    await suite.batch.deleteNamespacedJob({
      name: 'long',
      namespace: suite.namespace,
      propagationPolicy: 'Foreground',
    });
    await eventually('the process to exit', () => {
      try {
        process.kill(pid, 0);
        return Promise.resolve(undefined);
      } catch {
        return Promise.resolve(true);
      }
    });
    await eventually('the pod and Job to be gone', async () => {
      const pods = await podsOf('long');
      const jobs = await suite.batch.listNamespacedJob({
        namespace: suite.namespace,
        fieldSelector: 'metadata.name=long',
      });
      return pods.length === 0 && jobs.items.length === 0 ? true : undefined;
    });
  });
});
