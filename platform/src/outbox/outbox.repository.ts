import type { TransactionSql } from '../database/connection.ts';

/**
 * Records a message to publish, inside the caller's transaction: it reaches the
 * queue if and only if the transaction commits. The relay does the publishing.
 */
export async function addToOutbox(
  tx: TransactionSql,
  topic: string,
  payload: unknown,
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    INSERT INTO outbox (topic, payload) VALUES (${topic}, ${tx.json(payload as never)}) RETURNING id`;
  if (!row) throw new Error('outbox insert returned no row');
  return row.id;
}
