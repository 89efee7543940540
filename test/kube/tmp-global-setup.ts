import type { TestProject } from 'vitest/node';
import { findKubeBinaries, startControlPlane } from './control-plane.ts';
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const found = findKubeBinaries();
  if ('missing' in found) {
    project.provide('kubeconfig', '');
    project.provide('unavailable', { kubernetes: found.missing });
    return async () => {};
  }
  const t = Date.now();
  const cp = await startControlPlane({ binDir: found.binDir });
  console.log(`control plane started in ${Date.now() - t} ms`);
  project.provide('kubeconfig', cp.kubeconfigPath);
  project.provide('unavailable', {});
  return cp.stop;
}
