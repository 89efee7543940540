// Helpers for the deployment suites: helm from the built Kubernetes binaries, the
// chart's rendered objects, and a loud skip for tools the global setup does not manage.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadAllYaml } from '@kubernetes/client-node';
import { describeUnlessMissing } from '../../test/support/components.ts';
import { findKubeBinaries } from '../../test/kube/control-plane.ts';

const run = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const chartDir = path.join(repoRoot, 'deploy/helm/videoforge');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export function kubeBinary(name: 'helm' | 'kubectl'): string {
  const found = findKubeBinaries();
  if ('missing' in found) throw new Error(found.missing);
  return path.join(found.binDir, name);
}

/** Runs helm; resolves with its output, rejects with stderr in the message. */
export async function helm(args: string[], options: { kubeconfig?: string } = {}): Promise<string> {
  const env = {
    ...process.env,
    HELM_CACHE_HOME: '/tmp/videoforge-helm/cache',
    HELM_CONFIG_HOME: '/tmp/videoforge-helm/config',
    HELM_DATA_HOME: '/tmp/videoforge-helm/data',
  };
  try {
    const { stdout } = await run(
      kubeBinary('helm'),
      [...args, ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : [])],
      {
        env,
        maxBuffer: 32 * 1024 * 1024,
        timeout: 120_000,
      },
    );
    return stdout;
  } catch (error) {
    const stderr =
      typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`helm ${args.join(' ')} failed: ${stderr || String(error)}`, { cause: error });
  }
}

/** `helm template` of the chart with the given values files and --set flags, parsed. */
export async function renderChart(
  args: string[] = [],
  release = 'vf',
  namespace = 'videoforge',
): Promise<K8sObject[]> {
  const text = await helm(['template', release, chartDir, '--namespace', namespace, ...args]);
  return (loadAllYaml(text) as (K8sObject | null)[]).filter(
    (o): o is K8sObject => o !== null && typeof o === 'object',
  );
}

export function findObject(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (!found)
    throw new Error(
      `no ${kind} ${name ?? ''} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found;
}

/** Where a program is on PATH, or undefined. */
export function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, program);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Like describeWith for tools outside the global setup (prometheus, hadolint): runs
 * when every program is on PATH; otherwise one loud skip line, or a failing suite
 * with CI=true / VIDEOFORGE_REQUIRE_ALL=1.
 */
export function describeWithPrograms(
  programs: { name: string; install: string }[],
  name: string,
  body: () => void,
): void {
  describeUnlessMissing(
    programs.filter((p) => !onPath(p.name)).map((p) => `${p.name} not on PATH (${p.install})`),
    name,
    body,
    'program',
  );
}
