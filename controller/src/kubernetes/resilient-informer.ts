import {
  ListWatch,
  Watch,
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
   * What the cache keeps of each listed or watched object (see cache-projection.ts);
   * handlers receive the same projected object.
   */
  project: (object: T) => T;
}): {
  informer: CachedInformer<T>;
  ready: Promise<void>;
  /** The cache is listed and watching: false from an informer error until its restart relisted. */
  synced(): boolean;
  stop(): Promise<void>;
} {
  const { project } = options;
  const list: ListPromise<T> = async () => {
    const listed = await options.list();
    listed.items = listed.items.map(project);
    return listed;
  };
  // client-node's informer has no transform hook (client-go's SetTransform), but it takes
  // its Watch as a parameter: this one hands it objects already projected.
  const watch = new Watch(options.kubeConfig);
  const projectingWatch: Pick<Watch, 'watch'> = {
    watch: (path, query, callback, done) =>
      watch.watch(
        path,
        query,
        (phase, object: T, watchObject) =>
          callback(
            phase,
            phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED'
              ? project(object)
              : object,
            watchObject,
          ),
        done,
      ),
  };
  const informer = new ListWatch<T>(
    options.path,
    projectingWatch as Watch,
    list,
    false,
    options.labelSelector,
  );
  let stopped = false;
  let synced = false;
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
          synced = true;
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
    synced = false;
    options.logger.warn({ err: error, path: options.path }, 'informer stopped; restarting');
    restart();
  });
  const resync = setInterval(() => options.onResync(), options.resyncMs ?? 5 * 60_000);
  resync.unref();
  return {
    informer,
    ready: informer.start().then(() => {
      synced = true;
    }),
    synced: () => synced,
    async stop() {
      stopped = true;
      clearInterval(resync);
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
