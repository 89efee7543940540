import { randomBytes } from 'node:crypto';
import type { Sql } from '@videoforge/platform/database';
import { hashToken } from '../auth/tokens.ts';

export const EVENT_TICKET_TTL_SECONDS = 30;

/**
 * Single-use tickets for `GET /api/events`: EventSource cannot send an Authorization
 * header, and an access token in a URL lands in proxy logs and history. A ticket is
 * good for one stream, for 30 seconds, and for nothing else. Kept in Postgres (only
 * its hash) so a ticket bought from one replica opens a stream on another.
 */
export function createEventTicketsRepository(sql: Sql) {
  return {
    async issue(userId: string, credentialExpiresAt: Date): Promise<string> {
      const ticket = randomBytes(32).toString('base64url');
      await sql`
        INSERT INTO event_tickets (ticket_hash, user_id, expires_at, credential_expires_at)
        VALUES (${hashToken(ticket)}, ${userId},
                now() + make_interval(secs => ${EVENT_TICKET_TTL_SECONDS}), ${credentialExpiresAt})`;
      // Expired tickets are of no use; clearing a few on each issue keeps the table small.
      await sql`DELETE FROM event_tickets WHERE ctid IN (
        SELECT ctid FROM event_tickets WHERE expires_at < now() LIMIT 100)`;
      return ticket;
    },
    /** Spends a ticket: its user and when the credential behind it expires, or undefined. */
    async redeem(
      ticket: string,
    ): Promise<{ userId: string; credentialExpiresAt: Date } | undefined> {
      const [row] = await sql<{ user_id: string; credential_expires_at: Date }[]>`
        DELETE FROM event_tickets
        WHERE ticket_hash = ${hashToken(ticket)} AND expires_at > now()
        RETURNING user_id, credential_expires_at`;
      return row && { userId: row.user_id, credentialExpiresAt: row.credential_expires_at };
    },
  };
}
export type EventTicketsRepository = ReturnType<typeof createEventTicketsRepository>;
