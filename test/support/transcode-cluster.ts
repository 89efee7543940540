import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startKubeSuite, type KubeSuite } from '../kube/kube-test-utils.ts';
import { testCredentialsEnv, type TestAws } from './aws.ts';

/** The transcoder run as a local command, in place of its image's entrypoint (TRANSCODER_COMMAND). */
export const transcoderCommand = [
  process.execPath,
  fileURLToPath(new URL('../../transcoder/src/main.ts', import.meta.url)),
];

/**
 * A Kubernetes suite (its own namespace and local node) whose node is in the transcode
 * node group and starts pods from what the transcoder image's environment would carry
 * in a real cluster (moto's credentials, loopback sources allowed), plus `env`.
 */
export function startTranscodeKubeSuite(
  kubeconfig: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<KubeSuite> {
  return startKubeSuite(kubeconfig, prefix, {
    labels: { 'videoforge.io/node-group': 'transcode' },
    baseEnv: {
      PATH: process.env.PATH ?? '',
      HOME: tmpdir(),
      ...testCredentialsEnv,
      TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

/**
 * The environment of the operator process (controller/src/main.ts) against the test
 * servers: the suite's namespace, the database, moto's bucket and queue, the transcoder
 * as a local command.
 */
export function operatorEnv(options: {
  kubeconfig: string;
  namespace: string;
  podName: string;
  databaseUrl: string;
  metricsPort: number;
  aws: TestAws;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    KUBECONFIG: options.kubeconfig,
    KUBE_NAMESPACE: options.namespace,
    POD_NAME: options.podName,
    DATABASE_URL: options.databaseUrl,
    QUEUE_WAIT_SECONDS: '1',
    METRICS_PORT: String(options.metricsPort),
    TRANSCODER_COMMAND: JSON.stringify(transcoderCommand),
    LOG_LEVEL: 'warn',
    ...options.aws.env,
  };
}
