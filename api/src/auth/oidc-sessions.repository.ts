import type { Sql } from '@videoforge/platform/database';

/** The provider's tokens for one sign-in (one refresh-token family), sealed by the caller. */
export interface OidcSessionRow {
  familyId: string;
  userId: string;
  sealedRefreshToken: string | null;
  sealedIdToken: string | null;
}

interface RawSession {
  family_id: string;
  user_id: string;
  sealed_refresh_token: string | null;
  sealed_id_token: string | null;
}

export function createOidcSessionsRepository(sql: Sql) {
  return {
    async save(row: OidcSessionRow): Promise<void> {
      await sql`
        INSERT INTO oidc_sessions (family_id, user_id, sealed_refresh_token, sealed_id_token)
        VALUES (${row.familyId}, ${row.userId}, ${row.sealedRefreshToken}, ${row.sealedIdToken})
        ON CONFLICT (family_id) DO UPDATE SET
          sealed_refresh_token = EXCLUDED.sealed_refresh_token,
          sealed_id_token = EXCLUDED.sealed_id_token,
          updated_at = now()`;
    },
    async find(familyId: string): Promise<OidcSessionRow | undefined> {
      const [raw] = await sql<RawSession[]>`
        SELECT family_id, user_id, sealed_refresh_token, sealed_id_token
        FROM oidc_sessions WHERE family_id = ${familyId}`;
      return (
        raw && {
          familyId: raw.family_id,
          userId: raw.user_id,
          sealedRefreshToken: raw.sealed_refresh_token,
          sealedIdToken: raw.sealed_id_token,
        }
      );
    },
    async remove(familyId: string): Promise<void> {
      await sql`DELETE FROM oidc_sessions WHERE family_id = ${familyId}`;
    },
  };
}
export type OidcSessionsRepository = ReturnType<typeof createOidcSessionsRepository>;
