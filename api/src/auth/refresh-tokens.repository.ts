import { camelColumns, type Sql } from '@videoforge/platform/database';
import type { RefreshTokenRow } from './tokens.ts';

interface RawToken {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  family_expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

export function createRefreshTokensRepository(sql: Sql) {
  return {
    async insert(row: {
      id: string;
      userId: string;
      familyId: string;
      tokenHash: string;
      expiresAt: Date;
      familyExpiresAt: Date;
    }): Promise<void> {
      await sql`
        INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, family_expires_at)
        VALUES (${row.id}, ${row.userId}, ${row.familyId}, ${row.tokenHash}, ${row.expiresAt},
                ${row.familyExpiresAt})`;
    },
    async find(id: string): Promise<RefreshTokenRow | undefined> {
      const [raw] = await sql<RawToken[]>`SELECT * FROM refresh_tokens WHERE id = ${id}`;
      return raw && camelColumns(raw);
    },
    /** Marks a token used; false when another request used it first (a race is a replay too). */
    async markUsed(id: string): Promise<boolean> {
      const rows =
        await sql`UPDATE refresh_tokens SET used_at = now() WHERE id = ${id} AND used_at IS NULL AND revoked_at IS NULL RETURNING id`;
      return rows.length === 1;
    },
    async revokeFamily(familyId: string): Promise<void> {
      await sql`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ${familyId} AND revoked_at IS NULL`;
    },
    async revokeAllForUser(userId: string): Promise<void> {
      await sql`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL`;
    },
  };
}
export type RefreshTokensRepository = ReturnType<typeof createRefreshTokensRepository>;
