import type { KubeConfig } from '@kubernetes/client-node';

type DispatcherFactory = (
  cluster: { name?: string; server?: string } | null,
  agentOptions: unknown,
) => unknown;

/**
 * @kubernetes/client-node 2.0 builds a new undici Agent for every API call, so each
 * request opens its own TLS connection and leaves it idling for its keep-alive: slow
 * (a handshake per call) and, at thousands of calls, hundreds of MB of sockets and
 * TLS buffers. This makes one KubeConfig reuse one Agent per cluster and user, as
 * client-go's transport cache does. The method is private in the typings, hence
 * the cast; the bench and tests exercise it against a real API server.
 */
export function shareConnections(kubeConfig: KubeConfig): KubeConfig {
  const target = kubeConfig as unknown as { createDispatcher: DispatcherFactory };
  const original: DispatcherFactory = target.createDispatcher.bind(kubeConfig);
  const cache = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const key = `${cluster?.name ?? ''}|${cluster?.server ?? ''}|${kubeConfig.getCurrentUser()?.name ?? ''}`;
    if (!cache.has(key)) cache.set(key, original(cluster, agentOptions));
    return cache.get(key);
  };
  return kubeConfig;
}
