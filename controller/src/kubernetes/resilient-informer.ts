import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from '@videoforge/platform/logging';

export type CachedInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * An informer that keeps going. @kubernetes/client-node's informer stops on errors
 * (a 410 Gone may also arrive as an ERROR event), so it is restarted with jittered
 * exponential backoff; a periodic relist (`resyncMs`) calls `onResync` so missed
 * events heal.
 */
export function startResilientInformer<T extends KubernetesObject>(options: {
  kubeConfig: KubeConfig;
  path: string;
  list: ListPromise<T>;
  labelSelector?: string;
  logger: Logger;
  onResync: () => void;
  resyncMs?: number;
  /**
   * Removes, in place, what the controller never reads from a cached object. The cache
   * holds every object for the process's lifetime, and managedFields alone can be
   * most of an object's size.
   */
  trim?: (object: T) => void;
}): { informer: CachedInformer<T>; ready: Promise<void>; stop(): Promise<void> } {
  const trim = options.trim;
  const list: ListPromise<T> = trim
    ? async () => {
        const listed = await options.list();
        for (const item of listed.items) trim(item);
        return listed;
      }
    : options.list;
  const informer = makeInformer(options.kubeConfig, options.path, list, options.labelSelector);
  // Registered first, so every other handler already sees the trimmed object (the
  // cache stores the very object handlers receive).
  if (trim) for (const verb of ['add', 'update'] as const) informer.on(verb, trim);
  let stopped = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const restart = () => {
    if (stopped) return;
    const delay = Math.min(30_000, 500 * 2 ** failures) * (0.5 + Math.random() / 2);
    failures++;
    restartTimer = setTimeout(() => {
      informer.start().then(
        () => {
          failures = 0;
          options.onResync(); // a restart relisted: reconcile what may have changed meanwhile
        },
        (error: unknown) => {
          options.logger.warn({ err: error, path: options.path }, 'informer restart failed');
          restart();
        },
      );
    }, delay);
  };
  informer.on('error', (error: unknown) => {
    if (stopped) return;
    options.logger.warn({ err: error, path: options.path }, 'informer stopped; restarting');
    restart();
  });
  const resync = setInterval(() => options.onResync(), options.resyncMs ?? 5 * 60_000);
  resync.unref();
  return {
    informer,
    ready: informer.start(),
    async stop() {
      stopped = true;
      clearInterval(resync);
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
