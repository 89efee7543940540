import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from '../database/connection.ts';
import type {
  QueueDepth,
  QueuePort,
  ReceiveOptions,
  ReceivedMessage,
  SendOptions,
} from './queue.port.ts';

export interface PostgresQueueOptions {
  sql: Sql;
  /** Queue name; the dead-letter queue is `${name}-dlq`. */
  name: string;
  visibilityTimeoutSeconds: number;
  /** A message received this many times without being deleted moves to the DLQ on its next receive. */
  maxReceives: number;
  /** How often an empty long poll re-checks; NOTIFY wakes it sooner. */
  pollIntervalMs?: number;
}

interface Row {
  id: string;
  body: string;
  receipt: string;
  receive_count: number;
  sent_at: Date;
}

const NOTIFY_CHANNEL = 'videoforge_queue';

/**
 * A queue in PostgreSQL with SQS's semantics (all-in-one mode): SELECT … FOR UPDATE
 * SKIP LOCKED lets many consumers take disjoint messages; receiving hides a message
 * for the visibility timeout and issues a fresh receipt; a message already received
 * maxReceives times is moved to the dead-letter queue instead of delivered, as SQS's
 * redrive policy does.
 */
export function createPostgresQueue(options: PostgresQueueOptions): QueuePort {
  const { sql, name } = options;
  const deadLetterName = `${name}-dlq`;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  let listener: { unlisten(): Promise<void> } | undefined;
  const waiters = new Set<() => void>();

  async function ensureListening(): Promise<void> {
    if (listener) return;
    listener = await sql.listen(NOTIFY_CHANNEL, (queue) => {
      if (queue === name) for (const wake of waiters) wake();
    });
  }

  async function receiveOnce(max: number, visibility: number): Promise<ReceivedMessage[]> {
    return sql.begin(async (tx) => {
      const due = await tx<{ id: string; receive_count: number }[]>`
        SELECT id, receive_count FROM queue_messages
        WHERE queue = ${name} AND visible_at <= now()
        ORDER BY id
        LIMIT ${max}
        FOR UPDATE SKIP LOCKED`;
      if (due.length === 0) return [];
      const exhausted = due.filter((m) => m.receive_count >= options.maxReceives).map((m) => m.id);
      if (exhausted.length > 0) {
        await tx`
          UPDATE queue_messages
          SET queue = ${deadLetterName}, visible_at = now(), receipt = NULL, receive_count = 0
          WHERE id IN ${tx(exhausted)}`;
      }
      const deliverable = due.filter((m) => m.receive_count < options.maxReceives).map((m) => m.id);
      if (deliverable.length === 0) return [];
      const rows = await tx<Row[]>`
        UPDATE queue_messages
        SET receive_count = receive_count + 1,
            receipt = gen_random_uuid(),
            visible_at = now() + make_interval(secs => ${visibility}),
            first_received_at = coalesce(first_received_at, now())
        WHERE id IN ${tx(deliverable)}
        RETURNING id, body, receipt, receive_count, sent_at`;
      return rows
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((row) => ({
          id: row.id,
          body: row.body,
          receipt: row.receipt,
          receiveCount: row.receive_count,
          sentAt: row.sent_at,
        }));
    });
  }

  const queue: QueuePort = {
    kind: 'postgres',

    async send(body: string, sendOptions: SendOptions = {}) {
      const delay = sendOptions.delaySeconds ?? 0;
      const rows = await sql<{ id: string }[]>`
        INSERT INTO queue_messages (queue, body, group_id, deduplication_id, visible_at)
        VALUES (${name}, ${body}, ${sendOptions.groupId ?? null}, ${sendOptions.deduplicationId ?? null},
                now() + make_interval(secs => ${delay}))
        ON CONFLICT (queue, deduplication_id) WHERE deduplication_id IS NOT NULL DO NOTHING
        RETURNING id`;
      let id = rows[0]?.id;
      if (!id) {
        // A duplicate within the dedup window: accepted, not enqueued twice (SQS FIFO behaviour).
        const existing = await sql<{ id: string }[]>`
          SELECT id FROM queue_messages WHERE queue = ${name} AND deduplication_id = ${sendOptions.deduplicationId ?? null}`;
        id = existing[0]?.id ?? 'duplicate';
      }
      await sql.notify(NOTIFY_CHANNEL, name);
      return { messageId: id };
    },

    async receive(receiveOptions: ReceiveOptions = {}) {
      const max = Math.min(Math.max(receiveOptions.maxMessages ?? 1, 1), 10);
      const visibility =
        receiveOptions.visibilityTimeoutSeconds ?? options.visibilityTimeoutSeconds;
      const deadline = Date.now() + (receiveOptions.waitSeconds ?? 0) * 1000;
      if ((receiveOptions.waitSeconds ?? 0) > 0) await ensureListening();
      for (;;) {
        const messages = await receiveOnce(max, visibility);
        const remaining = deadline - Date.now();
        if (messages.length > 0 || remaining <= 0 || receiveOptions.signal?.aborted)
          return messages;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          void sleep(Math.min(remaining, pollIntervalMs), undefined, { ref: false }).then(wake);
          receiveOptions.signal?.addEventListener('abort', wake, { once: true });
        });
      }
    },

    async delete(receipt: string) {
      if (!isUuid(receipt)) return;
      await sql`DELETE FROM queue_messages WHERE receipt = ${receipt}`;
    },

    async changeVisibility(receipt: string, seconds: number) {
      if (!isUuid(receipt)) throw new Error('invalid receipt');
      const rows = await sql`
        UPDATE queue_messages SET visible_at = now() + make_interval(secs => ${Math.max(0, seconds)})
        WHERE receipt = ${receipt} AND queue = ${name}
        RETURNING id`;
      // SQS refuses a receipt whose message was redelivered; so do we, so callers learn they lost it.
      if (rows.length === 0)
        throw new Error('receipt is no longer valid (message redelivered or deleted)');
      if (seconds <= 0) await sql.notify(NOTIFY_CHANNEL, name);
    },

    async depth(): Promise<QueueDepth> {
      const [row] = await sql<{ visible: string; in_flight: string; oldest: number | null }[]>`
        SELECT count(*) FILTER (WHERE visible_at <= now()) AS visible,
               count(*) FILTER (WHERE visible_at > now() AND receipt IS NOT NULL) AS in_flight,
               extract(epoch FROM now() - min(sent_at))::float8 AS oldest
        FROM queue_messages WHERE queue = ${name}`;
      return {
        visible: Number(row?.visible ?? 0),
        inFlight: Number(row?.in_flight ?? 0),
        ...(row?.oldest !== null && row?.oldest !== undefined
          ? { oldestAgeSeconds: row.oldest }
          : {}),
      };
    },

    async deadLetters() {
      return name.endsWith('-dlq')
        ? undefined
        : createPostgresQueue({
            ...options,
            name: deadLetterName,
            maxReceives: Number.MAX_SAFE_INTEGER,
          });
    },

    async close() {
      for (const wake of waiters) wake();
      await listener?.unlisten();
      listener = undefined;
    },
  };
  return queue;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
