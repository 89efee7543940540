// Shared by the Kubernetes integration suites: clients for the run's control
// plane, a namespace per suite, a local node per suite, and polling helpers.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Job,
  type V1JobCondition,
} from '@kubernetes/client-node';
import { findKubeBinaries } from './control-plane.ts';
import { startLocalNode, type LocalNode, type LocalNodeOptions } from './local-node.ts';

const execFileAsync = promisify(execFile);

export function loadKubeConfig(kubeconfigPath: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 45_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${last}`);
    await sleep(intervalMs);
  }
}

export function errorCode(error: unknown): number | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'number'
    ? error.code
    : undefined;
}

/** The API server's Status message from a client-node ApiException. */
export function statusMessage(error: unknown): string {
  const body =
    typeof error === 'object' && error !== null && 'body' in error ? error.body : undefined;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      return body;
    }
    return body;
  }
  if (
    typeof body === 'object' &&
    body !== null &&
    'message' in body &&
    typeof body.message === 'string'
  ) {
    return body.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface KubeSuite {
  kc: KubeConfig;
  core: CoreV1Api;
  batch: BatchV1Api;
  namespace: string;
  node: LocalNode;
  cleanup(): Promise<void>;
}

/**
 * A namespace of its own (ready for pods: its default ServiceAccount exists) and a
 * local node that runs only that namespace's pods, so suites can run in parallel.
 */
export async function startKubeSuite(
  kubeconfigPath: string,
  prefix: string,
  nodeOptions: Partial<LocalNodeOptions> = {},
): Promise<KubeSuite> {
  const kc = loadKubeConfig(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const namespace = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await eventually('the default ServiceAccount', async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace });
    return true;
  });
  const node = await startLocalNode({
    kubeconfigPath,
    nodeName: `local-${namespace}`,
    namespace,
    ...nodeOptions,
  });
  return {
    kc,
    core,
    batch,
    namespace,
    node,
    async cleanup() {
      await node.stop();
      await core.deleteNode({ name: node.nodeName }).catch(() => undefined);
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}

export interface JobSpecOptions {
  command: string[];
  backoffLimit?: number;
  podFailurePolicy?: NonNullable<V1Job['spec']>['podFailurePolicy'];
  nodeSelector?: Record<string, string>;
  env?: { name: string; value: string }[];
}

export function jobManifest(name: string, opts: JobSpecOptions): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: opts.backoffLimit ?? 0,
      ...(opts.podFailurePolicy ? { podFailurePolicy: opts.podFailurePolicy } : {}),
      template: {
        spec: {
          restartPolicy: 'Never',
          ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
          containers: [
            {
              name: 'main',
              // The local node runs `command`; the image only has to be valid.
              image: 'videoforge/test:local',
              command: opts.command,
              ...(opts.env ? { env: opts.env } : {}),
            },
          ],
        },
      },
    },
  };
}

export function findCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Waits for the Job to finish (Complete or Failed) and returns it. */
export async function waitForJobFinished(
  batch: BatchV1Api,
  namespace: string,
  name: string,
  timeoutMs = 50_000,
): Promise<V1Job> {
  return eventually(
    `Job ${namespace}/${name} to finish`,
    async () => {
      const job = await batch.readNamespacedJob({ name, namespace });
      return findCondition(job, 'Complete') || findCondition(job, 'Failed') ? job : undefined;
    },
    { timeoutMs },
  );
}

/** Runs kubectl from the built binaries against the given kubeconfig. */
export async function kubectl(
  kubeconfigPath: string,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  const found = findKubeBinaries();
  if ('missing' in found) throw new Error(found.missing);
  // Its own discovery cache, so a CRD applied this run is never hidden by a stale one.
  const cacheDir = await mkdtemp(join(tmpdir(), 'videoforge-kubectl-'));
  try {
    return await execFileAsync(
      join(found.binDir, 'kubectl'),
      [`--kubeconfig=${kubeconfigPath}`, `--cache-dir=${cacheDir}`, ...args],
      {
        timeout: 30_000,
      },
    );
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
