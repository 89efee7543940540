import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import {
  createTestQueues,
  testCredentials,
  testRegion,
  uniqueName,
} from '../../../test/support/aws.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createLogger } from '../logging/logger.ts';
import { createPostgresQueue } from '../queue/postgres.queue.ts';
import type { QueuePort } from '../queue/queue.port.ts';
import { createSqsQueue } from '../queue/sqs.queue.ts';
import { addToOutbox } from './outbox.repository.ts';
import { createOutboxRelay } from './outbox-relay.ts';

const relayProcess = fileURLToPath(
  new URL('../../../test/fixtures/outbox-relay.process.ts', import.meta.url),
);
const logger = createLogger({ service: 'test', level: 'silent' });

type Mode = 'hang-before-publish' | 'hang-after-publish';

/** Runs a relay in a child process until it reaches `mode`, then SIGKILLs it there. */
async function killRelayAt(mode: Mode, env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [relayProcess], {
    env: { ...process.env, ...env, MODE: mode },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const reached = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => output.includes(mode) && resolve());
    child.on('exit', (code) => reject(new Error(`relay exited (${code}) before reaching ${mode}`)));
  });
  await reached;
  child.kill('SIGKILL');
  await once(child, 'exit').catch(() => undefined);
}

/** A consumer made idempotent the way VideoForge's are: its effect is keyed by the job id. */
async function consume(db: TestDatabase, queue: QueuePort): Promise<{ deliveries: number }> {
  let deliveries = 0;
  for (;;) {
    const batch = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
    if (batch.length === 0) return { deliveries };
    for (const message of batch) {
      deliveries++;
      const { jobId } = JSON.parse(message.body) as { jobId: string };
      await db.sql`INSERT INTO test_effects (job_id) VALUES (${jobId}) ON CONFLICT DO NOTHING`;
      await queue.delete(message.receipt);
    }
  }
}

/**
 * `deliveriesAfterPublishCrash`: a standard SQS queue delivers the re-published copy
 * too (the consumer's idempotency absorbs it); the Postgres queue drops it by the
 * outbox row's deduplication id while the first copy is still queued.
 */
function crashSuite(
  name: string,
  deliveriesAfterPublishCrash: number,
  makeQueue: (db: TestDatabase) => Promise<{ queue: QueuePort; env: Record<string, string> }>,
) {
  describe(`outbox relay crash on ${name}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(inject('postgresUrl'));
      await db.sql`CREATE TABLE test_effects (job_id text PRIMARY KEY, applied_at timestamptz DEFAULT now())`;
    });
    afterAll(() => db.drop());

    it.each<Mode>(['hang-before-publish', 'hang-after-publish'])(
      'loses nothing when the relay is killed at %s, and the effect happens once',
      async (mode) => {
        const { queue, env } = await makeQueue(db);
        const jobId = uniqueName('job');
        await db.sql.begin((tx) => addToOutbox(tx, 'transcode', { jobId }));

        await killRelayAt(mode, { ...env, DATABASE_URL: db.url });
        const [row] = await db.sql<
          { sent_at: Date | null }[]
        >`SELECT sent_at FROM outbox WHERE payload->>'jobId' = ${jobId}`;
        expect(row?.sent_at).toBeNull();

        // The restarted relay publishes again.
        const relay = createOutboxRelay({ sql: db.sql, queueFor: () => queue, logger });
        expect(await relay.relayOnce()).toBe(1);
        expect(await relay.relayOnce()).toBe(0);

        const { deliveries } = await consume(db, queue);
        expect(deliveries).toBe(mode === 'hang-after-publish' ? deliveriesAfterPublishCrash : 1);
        const effects = await db.sql`SELECT 1 FROM test_effects WHERE job_id = ${jobId}`;
        expect(effects).toHaveLength(1);
        await queue.close();
      },
    );

    it('publishes nothing for a transaction that rolled back', async () => {
      const { queue } = await makeQueue(db);
      await db.sql
        .begin(async (tx) => {
          await addToOutbox(tx, 'transcode', { jobId: 'never' });
          throw new Error('business rule failed');
        })
        .catch(() => undefined);
      const relay = createOutboxRelay({ sql: db.sql, queueFor: () => queue, logger });
      expect(await relay.relayOnce()).toBe(0);
      expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
      await queue.close();
    });

    it('a running relay publishes a committed row promptly (LISTEN/NOTIFY)', async () => {
      const { queue } = await makeQueue(db);
      const relay = createOutboxRelay({
        sql: db.sql,
        queueFor: () => queue,
        logger,
        pollIntervalMs: 60_000,
      });
      await relay.start();
      try {
        await db.sql.begin((tx) => addToOutbox(tx, 'transcode', { jobId: 'prompt' }));
        const [message] = await queue.receive({ waitSeconds: 10 });
        expect(JSON.parse(message?.body ?? '{}')).toEqual({ jobId: 'prompt' });
      } finally {
        await relay.stop();
        await queue.close();
      }
    });
  });
}

describeWith(['postgres'], 'transactional outbox', () => {
  crashSuite('the Postgres queue', 1, async (db) => {
    const name = uniqueName('outbox');
    // Nothing else published to this fresh database's outbox, so isolate by clearing it.
    await db.sql`UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`;
    return {
      queue: createPostgresQueue({
        sql: db.sql,
        name,
        visibilityTimeoutSeconds: 30,
        maxReceives: 5,
      }),
      env: { QUEUE_KIND: 'postgres', QUEUE_NAME: name },
    };
  });
});

describeWith(['postgres', 'sqs'], 'transactional outbox with SQS', () => {
  crashSuite('SQS (moto)', 2, async (db) => {
    const endpoint = inject('awsEndpoint');
    const { queueUrl } = await createTestQueues(endpoint);
    await db.sql`UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`;
    return {
      queue: createSqsQueue({
        queueUrl,
        region: testRegion,
        endpoint,
        credentials: testCredentials,
      }),
      env: { QUEUE_KIND: 'sqs', SQS_QUEUE_URL: queueUrl, SQS_ENDPOINT: endpoint },
    };
  });
});
