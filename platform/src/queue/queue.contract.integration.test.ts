import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import {
  createTestQueues,
  testCredentials,
  testRegion,
  uniqueName,
} from '../../../test/support/aws.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createPostgresQueue } from './postgres.queue.ts';
import type { QueuePort } from './queue.port.ts';
import { runWithVisibility } from './run-with-visibility.ts';
import { createSqsQueue } from './sqs.queue.ts';

const MAX_RECEIVES = 3;

interface QueueFactory {
  make(options?: { fifo?: boolean }): Promise<QueuePort>;
  close(): Promise<void>;
}

async function postgresFactory(): Promise<QueueFactory> {
  const db: TestDatabase = await createTestDatabase(inject('postgresUrl'));
  const made: QueuePort[] = [];
  return {
    async make() {
      const queue = createPostgresQueue({
        sql: db.sql,
        name: uniqueName('q'),
        visibilityTimeoutSeconds: 30,
        maxReceives: MAX_RECEIVES,
        pollIntervalMs: 200,
      });
      made.push(queue);
      return queue;
    },
    async close() {
      for (const q of made) await q.close();
      await db.drop();
    },
  };
}

async function sqsFactory(): Promise<QueueFactory> {
  const endpoint = inject('awsEndpoint');
  const made: QueuePort[] = [];
  return {
    async make({ fifo = false } = {}) {
      const { queueUrl } = await createTestQueues(endpoint, {
        fifo,
        maxReceiveCount: MAX_RECEIVES,
      });
      const queue = createSqsQueue({
        queueUrl,
        region: testRegion,
        endpoint,
        credentials: testCredentials,
        visibilityTimeoutSeconds: 30,
      });
      made.push(queue);
      return queue;
    },
    async close() {
      for (const q of made) await q.close();
    },
  };
}

async function drain(queue: QueuePort): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const batch = await queue.receive({ maxMessages: 10, waitSeconds: 0 });
    if (batch.length === 0) return bodies;
    for (const m of batch) {
      bodies.push(m.body);
      await queue.delete(m.receipt);
    }
  }
}

function contract(name: string, makeFactory: () => Promise<QueueFactory>) {
  describe(`${name} queue adapter`, () => {
    let factory: QueueFactory;
    beforeAll(async () => {
      factory = await makeFactory();
    });
    afterAll(() => factory.close());

    it('delivers a message once received and deleted', async () => {
      const queue = await factory.make();
      await queue.send(JSON.stringify({ jobId: '42' }));
      const [message, ...rest] = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
      expect(rest).toHaveLength(0);
      expect(JSON.parse(message?.body ?? '')).toEqual({ jobId: '42' });
      expect(message?.receiveCount).toBe(1);
      await queue.delete(message?.receipt ?? '');
      expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
      expect(await queue.depth()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it('hides a received message for its visibility timeout, then redelivers it', async () => {
      const queue = await factory.make();
      await queue.send('redeliver-me');
      const [first] = await queue.receive({ visibilityTimeoutSeconds: 1 });
      expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
      expect((await queue.depth()).inFlight).toBe(1);
      await sleep(1500);
      const [second] = await queue.receive({ waitSeconds: 2, visibilityTimeoutSeconds: 30 });
      expect(second?.body).toBe('redeliver-me');
      expect(second?.receiveCount).toBe(2);
      expect(second?.receipt).not.toBe(first?.receipt);
      await queue.delete(second?.receipt ?? '');
    });

    it('keeps a message hidden while its visibility is extended', async () => {
      const queue = await factory.make();
      await queue.send('long-work');
      const [message] = await queue.receive({ visibilityTimeoutSeconds: 1 });
      await queue.changeVisibility(message?.receipt ?? '', 10);
      await sleep(1500);
      expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
      await queue.changeVisibility(message?.receipt ?? '', 0);
      expect((await queue.receive({ waitSeconds: 1 }))[0]?.body).toBe('long-work');
    });

    it('long-polls: a receive that is waiting gets a message sent after it began', async () => {
      const queue = await factory.make();
      const receiving = queue.receive({ waitSeconds: 10 });
      await sleep(300);
      await queue.send('arrived-later');
      const messages = await receiving;
      expect(messages.map((m) => m.body)).toEqual(['arrived-later']);
    });

    it(`moves a message received ${MAX_RECEIVES} times without success to the dead-letter queue`, async () => {
      const queue = await factory.make();
      await queue.send('poison');
      for (let attempt = 1; attempt <= MAX_RECEIVES; attempt++) {
        const [message] = await queue.receive({ waitSeconds: 2 });
        expect(message?.receiveCount).toBe(attempt);
        await queue.changeVisibility(message?.receipt ?? '', 0); // a failed attempt
      }
      expect(await queue.receive({ waitSeconds: 1 })).toEqual([]);
      const deadLetters = await queue.deadLetters();
      expect(deadLetters).toBeDefined();
      if (!deadLetters) return;
      expect(await drain(deadLetters)).toEqual(['poison']);
    });

    it('extends visibility while a handler runs past the timeout, then deletes on success', async () => {
      const queue = await factory.make();
      await queue.send('slow-job');
      const [message] = await queue.receive({ visibilityTimeoutSeconds: 2 });
      if (!message) throw new Error('no message');
      let stolen: string[] = [];
      const outcome = await runWithVisibility(
        queue,
        message,
        async () => {
          await sleep(3500);
          stolen = (await queue.receive({ waitSeconds: 0 })).map((m) => m.body);
          return 'done';
        },
        { visibilityTimeoutSeconds: 2 },
      );
      expect(outcome).toBe('done');
      expect(stolen).toEqual([]);
      expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
    });

    it('releases a message whose handler throws, for another attempt', async () => {
      const queue = await factory.make();
      await queue.send('flaky');
      const [message] = await queue.receive();
      if (!message) throw new Error('no message');
      await expect(
        runWithVisibility(queue, message, () => Promise.reject(new Error('transient')), {
          visibilityTimeoutSeconds: 30,
        }),
      ).rejects.toThrow('transient');
      const [again] = await queue.receive({ waitSeconds: 1 });
      expect(again).toMatchObject({ body: 'flaky', receiveCount: 2 });
    });

    // SQS standard queues deliver at least once (moto, like SQS, now and then hands one
    // message to two concurrent receivers); the Postgres queue's SKIP LOCKED exactly once.
    it(`delivers many messages ${name === 'postgres' ? 'once each' : 'at least once each'} across concurrent consumers`, async () => {
      const queue = await factory.make();
      const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
      for (const body of sent) await queue.send(body);
      const [a, b] = await Promise.all([drain(queue), drain(queue)]);
      const received = [...(a ?? []), ...(b ?? [])];
      expect([...new Set(received)].sort()).toEqual([...sent].sort());
      if (name === 'postgres') expect(received).toHaveLength(sent.length);
    });
  });
}

describe('queue port contract', () => {
  describeWith(['postgres'], 'on a real PostgreSQL', () => contract('postgres', postgresFactory));
  describeWith(['sqs'], 'on a real SQS-compatible server (moto)', () => {
    contract('sqs', sqsFactory);

    describe('FIFO queue', () => {
      let factory: QueueFactory;
      beforeAll(async () => {
        factory = await sqsFactory();
      });
      afterAll(() => factory.close());

      it('keeps order within a group and drops a repeated deduplication id', async () => {
        const queue = await factory.make({ fifo: true });
        await queue.send('first', { groupId: 'g', deduplicationId: 'outbox-1' });
        await queue.send('first-again', { groupId: 'g', deduplicationId: 'outbox-1' });
        await queue.send('second', { groupId: 'g', deduplicationId: 'outbox-2' });
        expect(await drain(queue)).toEqual(['first', 'second']);
      });
    });
  });
});
