import { randomBytes } from 'node:crypto';
import type { Sql, TransactionSql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';
import { hashPassword } from './credentials.ts';
import { hashToken } from './tokens.ts';

/** Serialises every "is there an admin yet?" decision, so two of them never both say no. */
export const ADMIN_BOOTSTRAP_LOCK = 'videoforge.admin-bootstrap';

export interface BootstrapAdmin {
  username: string;
  email: string;
  password: string;
}

/** Whether a person (not a system account) holds the admin role. */
export async function hasAdmin(sql: Sql | TransactionSql): Promise<boolean> {
  const [row] = await sql<{ exists: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND system_account IS NULL) AS exists`;
  return row?.exists ?? false;
}

/** Stores a new one-time setup token (its hash) and returns the token itself. */
export async function createSetupToken(sql: Sql): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql`INSERT INTO admin_setup_tokens (token_hash) VALUES (${hashToken(token)})`;
  return token;
}

/**
 * The first admin of an install, at start:
 * - an admin exists: nothing to do;
 * - ADMIN_EMAIL and ADMIN_PASSWORD are set: that account is created as admin (once;
 *   under the bootstrap lock, so replicas starting together create it once);
 * - otherwise a one-time setup link is printed: whoever registers through it becomes
 *   the admin. Only someone who can read the log has it, unlike "the first registrant".
 */
export async function bootstrapAdmin({
  sql,
  logger,
  admin,
  setupUrl,
}: {
  sql: Sql;
  logger: Logger;
  admin?: BootstrapAdmin | undefined;
  setupUrl: (token: string) => string;
}): Promise<void> {
  if (await hasAdmin(sql)) return;
  if (admin) {
    const passwordHash = await hashPassword(admin.password);
    const created = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${ADMIN_BOOTSTRAP_LOCK}))`;
      if (await hasAdmin(tx)) return false;
      const rows = await tx`
        INSERT INTO users (username, email, password_hash, role)
        VALUES (${admin.username}, ${admin.email}, ${passwordHash}, 'admin')
        ON CONFLICT DO NOTHING RETURNING id`;
      return rows.length === 1;
    });
    if (created) logger.info({ username: admin.username }, 'created the first admin account');
    else
      logger.warn(
        { username: admin.username },
        'ADMIN_EMAIL is set but its account could not be created as admin (the name or email is taken)',
      );
    return;
  }
  const token = await createSetupToken(sql);
  // The one deliberate secret in a log line: the log is where the installer looks, and
  // the token is single-use and worthless once an admin exists.
  logger.warn(
    { setupUrl: setupUrl(token) },
    `no admin account yet: open ${setupUrl(token)} to create it (the link works once)`,
  );
}
