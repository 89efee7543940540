import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from '../database/connection.ts';
import type { Logger } from '../logging/logger.ts';
import type { QueuePort } from '../queue/queue.port.ts';

export interface OutboxRelayOptions {
  sql: Sql;
  /** The queue each topic publishes to; rows for unknown topics stay unsent and are logged. */
  queueFor: (topic: string) => QueuePort | undefined;
  logger: Logger;
  batchSize?: number;
  /** Safety net besides LISTEN/NOTIFY: how often to look for unsent rows anyway. */
  pollIntervalMs?: number;
  /** Called after each batch (tests and metrics). */
  onPublished?: (count: number) => void;
}

export interface OutboxRelay {
  /** Publishes what is pending once; returns how many rows were sent. */
  relayOnce(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Publishes outbox rows to the queue, then marks them sent, in one transaction
 * holding the rows' locks (FOR UPDATE SKIP LOCKED, so several relays share work).
 * A crash after publishing and before the commit leaves the rows unsent, and they are
 * published again: delivery is at-least-once, and the row id goes along as the
 * deduplication id so FIFO queues drop the repeat and other consumers can.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { sql, logger } = options;
  const batchSize = options.batchSize ?? 50;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  let running: Promise<void> | undefined;
  let stopController: AbortController | undefined;
  let wake: (() => void) | undefined;

  async function relayOnce(): Promise<number> {
    return sql.begin(async (tx) => {
      const rows = await tx<{ id: string; topic: string; payload: unknown }[]>`
        SELECT id, topic, payload FROM outbox
        WHERE sent_at IS NULL
        ORDER BY id
        LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED`;
      const sent: string[] = [];
      for (const row of rows) {
        const queue = options.queueFor(row.topic);
        if (!queue) {
          logger.error(
            { outboxId: row.id, topic: row.topic },
            'no queue for outbox topic; leaving unsent',
          );
          continue;
        }
        try {
          await queue.send(JSON.stringify(row.payload), {
            deduplicationId: `outbox-${row.id}`,
            groupId: row.topic,
          });
          sent.push(row.id);
        } catch (error) {
          logger.warn({ err: error, outboxId: row.id }, 'publishing outbox row failed; will retry');
          await tx`UPDATE outbox SET attempts = attempts + 1, last_error = ${String(error)} WHERE id = ${row.id}`;
          break; // keep order: later rows wait for this one
        }
      }
      if (sent.length > 0) {
        await tx`UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id IN ${tx(sent)}`;
      }
      return sent.length;
    });
  }

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        let published: number;
        do {
          published = await relayOnce();
          if (published > 0) options.onPublished?.(published);
        } while (published === batchSize && !signal.aborted);
      } catch (error) {
        logger.error({ err: error }, 'outbox relay pass failed');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        sleep(pollIntervalMs, undefined, { signal }).then(resolve, resolve);
      });
    }
  }

  return {
    relayOnce,
    async start() {
      if (running) return;
      stopController = new AbortController();
      const listener = await sql.listen('videoforge_outbox', () => wake?.());
      const signal = stopController.signal;
      // The database may already be gone at shutdown; unlistening then is moot.
      running = loop(signal).finally(() => listener.unlisten().catch(() => undefined));
      logger.info('outbox relay started');
    },
    async stop() {
      stopController?.abort();
      wake?.();
      await running;
      running = undefined;
    },
  };
}
