import type { Role, User } from '@videoforge/contracts';
import { camelColumns, type Sql } from '@videoforge/platform/database';
import { iso } from '../http/validate.ts';
import { ADMIN_BOOTSTRAP_LOCK, hasAdmin } from './admin-bootstrap.ts';

export interface UserRow {
  id: string;
  username: string;
  email: string;
  passwordHash: string | null;
  role: Role;
  oidcSubject: string | null;
  mfaSecret: string | null;
  mfaEnabled: boolean;
  createdAt: Date;
}

const columns =
  'id, username, email, password_hash, role, oidc_subject, mfa_secret, mfa_enabled, created_at';

interface RawUser {
  id: string;
  username: string;
  email: string;
  password_hash: string | null;
  role: Role;
  oidc_subject: string | null;
  mfa_secret: string | null;
  mfa_enabled: boolean;
  created_at: Date;
}

function toRow(raw: RawUser): UserRow {
  return camelColumns(raw);
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    mfaEnabled: row.mfaEnabled,
    createdAt: iso(row.createdAt),
  };
}

export class UniqueViolation extends Error {}

function uniqueViolationOr(error: unknown): unknown {
  return (error as { code?: string }).code === '23505'
    ? new UniqueViolation('username or email taken')
    : error;
}

export function createUsersRepository(sql: Sql) {
  const repository = {
    /** A self-registered account is never an admin (see createFirstAdmin). */
    async create(input: {
      username: string;
      email: string;
      passwordHash: string;
    }): Promise<UserRow> {
      try {
        const [raw] = await sql<RawUser[]>`
          INSERT INTO users (username, email, password_hash, role)
          VALUES (${input.username}, ${input.email}, ${input.passwordHash}, 'user')
          RETURNING ${sql.unsafe(columns)}`;
        if (!raw) throw new Error('insert returned no row');
        return toRow(raw);
      } catch (error) {
        throw uniqueViolationOr(error);
      }
    },
    /**
     * The first admin, through a one-time setup token: the token is spent and the admin
     * created in one transaction under the bootstrap lock, so two registrants racing
     * (with one token or two) never both become admin. Undefined when the token is not
     * an unused one or an admin already exists.
     */
    async createFirstAdmin(input: {
      username: string;
      email: string;
      passwordHash: string;
      setupTokenHash: string;
    }): Promise<UserRow | undefined> {
      try {
        return await sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(hashtext(${ADMIN_BOOTSTRAP_LOCK}))`;
          if (await hasAdmin(tx)) return undefined;
          const spent = await tx`
            UPDATE admin_setup_tokens SET used_at = now()
            WHERE token_hash = ${input.setupTokenHash} AND used_at IS NULL RETURNING token_hash`;
          if (spent.length !== 1) return undefined;
          const [raw] = await tx<RawUser[]>`
            INSERT INTO users (username, email, password_hash, role)
            VALUES (${input.username}, ${input.email}, ${input.passwordHash}, 'admin')
            RETURNING ${sql.unsafe(columns)}`;
          if (!raw) throw new Error('insert returned no row');
          return toRow(raw);
        });
      } catch (error) {
        throw uniqueViolationOr(error);
      }
    },
    async setPassword(id: string, passwordHash: string): Promise<void> {
      await sql`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${id}`;
    },
    async findById(id: string): Promise<UserRow | undefined> {
      const [raw] = await sql<RawUser[]>`SELECT ${sql.unsafe(columns)} FROM users WHERE id = ${id}`;
      return raw && toRow(raw);
    },
    async findByLogin(login: string): Promise<UserRow | undefined> {
      const [raw] = await sql<RawUser[]>`
        SELECT ${sql.unsafe(columns)} FROM users
        WHERE (lower(username) = lower(${login}) OR lower(email) = lower(${login}))
          AND system_account IS NULL LIMIT 1`;
      return raw && toRow(raw);
    },
    /**
     * OIDC users are created on first sight and their role follows the token's groups.
     * A read first: the row is written only when it is new or its role changed, not on
     * every request (issue 15, item 12).
     */
    async syncOidc(input: {
      subject: string;
      username: string;
      email: string;
      role: Role;
    }): Promise<UserRow> {
      const [raw] = await sql<RawUser[]>`
        SELECT ${sql.unsafe(columns)} FROM users WHERE oidc_subject = ${input.subject}`;
      if (raw && raw.role === input.role) return toRow(raw);
      return repository.upsertOidc(input);
    },
    async upsertOidc(input: {
      subject: string;
      username: string;
      email: string;
      role: Role;
    }): Promise<UserRow> {
      const upsert = async (username: string, email: string) => {
        const [raw] = await sql<RawUser[]>`
          INSERT INTO users (username, email, role, oidc_subject)
          VALUES (${username}, ${email}, ${input.role}, ${input.subject})
          ON CONFLICT (oidc_subject) WHERE oidc_subject IS NOT NULL
          DO UPDATE SET role = EXCLUDED.role, updated_at = now()
          RETURNING ${sql.unsafe(columns)}`;
        if (!raw) throw new Error('upsert returned no row');
        return toRow(raw);
      };
      try {
        return await upsert(input.username, input.email);
      } catch (error) {
        // The name or email is taken by another account (e.g. a built-in one): the
        // subject, which the issuer guarantees unique, makes a name that is not.
        if ((error as { code?: string }).code !== '23505') throw error;
        return upsert(`oidc-${input.subject}`, `${input.subject}@oidc.invalid`);
      }
    },
    async setMfa(id: string, sealedSecret: string | null, enabled: boolean): Promise<void> {
      await sql`
        UPDATE users SET
          mfa_secret = ${sealedSecret},
          mfa_enabled = ${enabled},
          mfa_last_time_step = CASE WHEN mfa_secret IS DISTINCT FROM ${sealedSecret}::text
                                    THEN NULL ELSE mfa_last_time_step END,
          updated_at = now()
        WHERE id = ${id}`;
    },

    /**
     * Records that the code of `timeStep` was used; false when that step (or a later
     * one) already was. Atomic, so two requests racing with one code cannot both win.
     */
    async claimTotpStep(id: string, timeStep: number): Promise<boolean> {
      const claimed = await sql`
        UPDATE users SET mfa_last_time_step = ${timeStep}
        WHERE id = ${id} AND (mfa_last_time_step IS NULL OR mfa_last_time_step < ${timeStep})
        RETURNING id`;
      return claimed.length === 1;
    },
  };
  return repository;
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
