/**
 * The operator's reconcile loop alone, in its own process so its memory can be
 * measured honestly: prints "ready", then answers each "rss" line on stdin with
 * its resident set size in bytes (after a GC, so garbage does not count).
 */
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@videoforge/platform/logging';
import { shareConnections } from '../../controller/src/kubernetes/shared-connections.ts';
import { startTranscodeJobController } from '../../controller/src/kubernetes/transcode-job.controller.ts';

const [kubeconfigPath = '', namespace = 'bench'] = process.argv.slice(2);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
shareConnections(kubeConfig);
const controller = await startTranscodeJobController({
  kubeConfig,
  namespace,
  logger: createLogger({ service: 'bench-controller', level: 'error' }),
  jobTemplate: {
    image: 'videoforge/transcoder:bench',
    command: ['videoforge-transcode'],
    nodeSelector: { 'videoforge.io/node-group': 'transcode' },
    tolerations: [],
    resources: {},
    activeDeadlineSeconds: 3600,
    ttlSecondsAfterFinished: 3600,
    env: [],
  },
});
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'rss') {
    globalThis.gc?.();
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    process.stdout.write(
      `${JSON.stringify({ rss, heapUsed, heapTotal, external, queued: controller.queue.length })}\n`,
    );
  }
  if (line === 'stop') void controller.stop().then(() => process.exit(0));
});
