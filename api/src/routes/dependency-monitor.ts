import { Gauge, type Registry } from '@videoforge/platform/metrics';
import type { QueuePort } from '@videoforge/platform/queue';
import type { StoragePort } from '@videoforge/platform/storage';

/** The storage check lists under this prefix: the one the documented IAM policy lets the API list. */
export const storageProbePrefix = 'videos/';

export type DependencyName = 'storage' | 'queue';

export type DependencyCheck =
  | { ok: true; checkedAt: string }
  | { ok: false; checkedAt: string; error: string }
  | { ok: null; checkedAt: null };

export interface DependencyMonitor {
  /** The last results, refreshed first when older than maxAgeMs (waiting at most waitMs). */
  current(waitMs: number): Promise<Record<DependencyName, DependencyCheck>>;
}

export interface DependencyMonitorOptions {
  storage: StoragePort;
  queue: QueuePort;
  metrics: Registry;
  /** Results younger than this are reused: probes and scrapes never hammer S3/SQS. */
  maxAgeMs?: number;
  /** One check slower than this counts as down (a dead endpoint can hang for minutes). */
  timeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Storage and queue reachability, reported rather than gated on: an S3 or SQS outage
 * shows on /healthz and in `videoforge_dependency_up`, but never takes every replica
 * out of the Service at once (only the database decides readiness). The storage check
 * lists one key under `videos/`, the one prefix the documented IAM policy allows; the
 * queue check reads the queue's attributes (sqs:GetQueueAttributes, also in the policy).
 */
export function createDependencyMonitor(options: DependencyMonitorOptions): DependencyMonitor {
  const maxAgeMs = options.maxAgeMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 3000;
  const probes: Record<DependencyName, () => Promise<unknown>> = {
    storage: () => options.storage.list(storageProbePrefix, { limit: 1 }),
    queue: () => options.queue.depth(),
  };
  let results: Record<DependencyName, DependencyCheck> = {
    storage: { ok: null, checkedAt: null },
    queue: { ok: null, checkedAt: null },
  };
  let checkedAtMs = 0;
  let refreshing: Promise<void> | undefined;

  const check = async (name: DependencyName): Promise<DependencyCheck> => {
    const checkedAt = new Date().toISOString();
    try {
      await withTimeout(probes[name](), timeoutMs);
      return { ok: true, checkedAt };
    } catch (error) {
      return {
        ok: false,
        checkedAt,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  };
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      const [storage, queue] = await Promise.all([check('storage'), check('queue')]);
      results = { storage, queue };
      checkedAtMs = Date.now();
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const refreshIfStale = (): Promise<void> =>
    Date.now() - checkedAtMs < maxAgeMs ? Promise.resolve() : refresh();

  new Gauge({
    name: 'videoforge_dependency_up',
    help: 'Whether a dependency the API reports on (storage, queue) answered its last check: 1 up, 0 down',
    labelNames: ['dependency'] as const,
    registers: [options.metrics],
    async collect() {
      await refreshIfStale();
      for (const [name, result] of Object.entries(results))
        if (result.ok !== null) this.set({ dependency: name }, result.ok ? 1 : 0);
    },
  });

  return {
    async current(waitMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        refreshIfStale(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      return results;
    },
  };
}
