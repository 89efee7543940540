import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OUTBOX_TOPIC_TRANSCODE } from '@videoforge/contracts';
import { ConfigError, loadConfig } from '@videoforge/platform/config';
import { openDatabase } from '@videoforge/platform/database';
import { createLogger, forCategory } from '@videoforge/platform/logging';
import { createMetricsRegistry } from '@videoforge/platform/metrics';
import { createOutboxRelay } from '@videoforge/platform/outbox';
import { createQueue } from '@videoforge/platform/queue';
import { createStorage } from '@videoforge/platform/storage';
import { createApp } from './app.ts';
import { ApiConfig } from './config.ts';

/** Composition root: config → logger → database → storage and queue → outbox relay → HTTP. */
async function main(): Promise<void> {
  let config: ApiConfig;
  try {
    config = loadConfig(ApiConfig);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG: tells supervisors a restart will not help
    }
    throw error;
  }
  const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
  const system = forCategory(logger, 'SYSTEM');

  // Listen first: local storage signs URLs with the API's own address, which is only
  // known once bound (PORT=0 picks a free port).
  let handle: RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
    res.end(JSON.stringify({ error: { code: 'starting', message: 'the API is starting', details: {} } }));
  };
  const server = createServer((req, res) => handle(req, res));
  server.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const database = await openDatabase(config, logger);
  const storage = await createStorage(config, baseUrl);
  const queue = createQueue(config, database.sql);
  const relay = createOutboxRelay({
    sql: database.sql,
    queueFor: (topic) => (topic === OUTBOX_TOPIC_TRANSCODE ? queue : undefined),
    logger: forCategory(logger, config.QUEUE_DRIVER === 'sqs' ? 'SQS' : 'DB'),
  });
  if (config.OUTBOX_RELAY_ENABLED) await relay.start();

  handle = createApp({ logger, metrics: createMetricsRegistry('api'), sql: database.sql, storage, queue });
  system.info(
    { url: baseUrl, database: database.mode, storage: storage.kind, queue: queue.kind },
    `VideoForge API listening on ${baseUrl}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    system.info({ signal }, 'shutting down');
    server.close();
    server.closeIdleConnections();
    // Each step runs even if an earlier one failed: on Ctrl-C the embedded PostgreSQL
    // receives the signal too and may already be stopping.
    for (const [name, step] of [
      ['outbox relay', () => relay.stop()],
      ['queue', () => queue.close()],
      ['database', () => database.close()],
    ] as const) {
      await step().catch((error: unknown) => system.warn({ err: error }, `stopping ${name} failed`));
    }
    system.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
