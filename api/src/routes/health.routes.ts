import { Router } from 'express';
import type { Sql } from '@videoforge/platform/database';
import type { Registry } from '@videoforge/platform/metrics';
import type { QueuePort } from '@videoforge/platform/queue';
import type { StoragePort } from '@videoforge/platform/storage';
import { createDependencyMonitor } from './dependency-monitor.ts';

export interface HealthDeps {
  sql: Sql;
  storage: StoragePort;
  queue: QueuePort;
  metrics: Registry;
}

// Kubernetes' probes time out after 1 s by default: answer well within it.
const DATABASE_TIMEOUT_MS = 800;
const DETAILS_WAIT_MS = 500;

/**
 * /healthz: the process is alive (always 200), with storage and queue reachability in
 * `checks`. /readyz: the database answers — the one thing no request can be served
 * without. Storage and queue outages are reported, not gated on: they would take every
 * replica out of the Service at once, and most routes (gallery, sign-in) still work.
 */
export function healthRoutes({ sql, storage, queue, metrics }: HealthDeps): Router {
  const router = Router();
  const dependencies = createDependencyMonitor({ storage, queue, metrics });
  router.get('/healthz', async (_req, res) => {
    res.json({ status: 'ok', checks: await dependencies.current(DETAILS_WAIT_MS) });
  });
  router.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`SELECT 1`,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${DATABASE_TIMEOUT_MS} ms`)),
            DATABASE_TIMEOUT_MS,
          );
        }),
      ]);
      res.json({ status: 'ready', checks: { database: { ok: true } } });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      res
        .status(503)
        .json({ status: 'not_ready', checks: { database: { ok: false, error: message } } });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
