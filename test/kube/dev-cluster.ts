// A one-machine cluster for developers: the test control plane plus a local node,
// running until Ctrl-C. See docs/local-cluster.md.
//
//   node test/kube/dev-cluster.ts [--node-label k=v ...] [--namespace ns] [--work-dir dir]
//                                 [--image-entrypoint 'videoforge/transcoder=node transcoder/src/main.ts' ...]

import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { findKubeBinaries, startControlPlane } from './control-plane.ts';
import { startLocalNode } from './local-node.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const { values } = parseArgs({
  options: {
    'node-label': {
      type: 'string',
      multiple: true,
      default: ['videoforge.io/node-group=transcode'],
    },
    'node-name': { type: 'string', default: 'videoforge-local' },
    namespace: { type: 'string', default: 'videoforge' },
    'work-dir': { type: 'string' },
    'log-dir': { type: 'string', default: join(repoRoot, '.data/kube/pod-logs') },
    'image-entrypoint': { type: 'string', multiple: true, default: [] },
    quiet: { type: 'boolean', default: false },
  },
});

const found = findKubeBinaries();
if ('missing' in found) {
  console.error(found.missing);
  process.exit(1);
}

const labels = Object.fromEntries(
  (values['node-label'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--node-label wants key=value, got ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

// image=command words: what to run for a container that gives no command.
const imageEntrypoints = Object.fromEntries(
  (values['image-entrypoint'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    const command = pair
      .slice(at + 1)
      .trim()
      .split(/\s+/);
    if (at <= 0 || command[0] === '')
      throw new Error(`--image-entrypoint wants image=command, got ${pair}`);
    return [pair.slice(0, at), command];
  }),
);

const started = Date.now();
const plane = await startControlPlane({
  binDir: found.binDir,
  ...(values['work-dir'] ? { workDir: values['work-dir'] } : {}),
});
const stableKubeconfig = join(repoRoot, '.data/kube/kubeconfig');
await mkdir(dirname(stableKubeconfig), { recursive: true });
await copyFile(plane.kubeconfigPath, stableKubeconfig);

const kc = new KubeConfig();
kc.loadFromFile(plane.kubeconfigPath);
await kc
  .makeApiClient(CoreV1Api)
  .createNamespace({ body: { metadata: { name: values.namespace } } })
  .catch(() => undefined);

const logDir = values['log-dir'] ?? join(repoRoot, '.data/kube/pod-logs');
const node = await startLocalNode({
  kubeconfigPath: plane.kubeconfigPath,
  nodeName: values['node-name'],
  labels,
  logDir,
  cwd: repoRoot,
  imageEntrypoints,
  ...(values.quiet
    ? {}
    : {
        onLog: (l) =>
          console.log(`[${l.namespace}/${l.pod}${l.stream === 'stderr' ? ' !' : ''}] ${l.line}`),
      }),
});

console.log(`
control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${plane.server}
node ${node.nodeName} labels ${JSON.stringify(labels)}; pod logs in ${logDir}

  export KUBECONFIG=${stableKubeconfig}
  export PATH=${found.binDir}:$PATH
  kubectl get nodes,transcodejobs -A

Ctrl-C stops everything.`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('stopping…');
  void node
    .stop()
    .then(() => plane.stop())
    .then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
