import { Router } from 'express';
import type { Sql } from '@videoforge/platform/database';
import type { QueuePort } from '@videoforge/platform/queue';
import type { StoragePort } from '@videoforge/platform/storage';

export interface HealthDeps {
  sql: Sql;
  storage: StoragePort;
  queue: QueuePort;
}

type Check = { ok: true } | { ok: false; error: string };

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await probe();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** /healthz: the process is alive. /readyz: its database, storage and queue answer. */
export function healthRoutes({ sql, storage, queue }: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, objectStorage, messageQueue] = await Promise.all([
      check(() => sql`SELECT 1`),
      check(() => storage.head('healthz/probe')),
      check(() => queue.depth()),
    ]);
    const checks = { database, storage: objectStorage, queue: messageQueue };
    const ready = Object.values(checks).every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
