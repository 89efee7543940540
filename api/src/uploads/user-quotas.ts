import type { QuotaName } from '@videoforge/contracts';
import type { TransactionSql } from '@videoforge/platform/database';
import { HttpError } from '../http/errors.ts';

/** Per-user limits (issue 15 item 8); every one is configurable (see api/src/config.ts). */
export interface UserQuotas {
  /** Uploads started and not yet completed, aborted or expired. */
  concurrentUploads: number;
  /** Jobs pending or running. */
  activeJobs: number;
  /** Sources stored (videos) plus the declared size of unfinished uploads. */
  storedBytes: number;
  /** The longest accepted source, whatever its resolution. */
  sourceDurationSeconds: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_USER_QUOTAS: UserQuotas = {
  concurrentUploads: 20,
  activeJobs: 10,
  storedBytes: 200 * GiB,
  sourceDurationSeconds: 4 * 3600,
};

export function quotaExceeded(
  quota: QuotaName,
  limit: number,
  used: number,
  message: string,
): HttpError {
  return new HttpError(403, 'quota_exceeded', message, { quota, limit, used });
}

/**
 * Serialises one user's quota checks with their inserts (a transaction-scoped
 * advisory lock), so two requests cannot both pass a check and both insert.
 */
export async function lockUserQuotas(tx: TransactionSql, userId: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext(${`videoforge.quota:${userId}`}))`;
}

export async function countUnfinishedUploads(tx: TransactionSql, userId: string): Promise<number> {
  const [row] = await tx<{ n: string }[]>`
    SELECT count(*) AS n FROM uploads
    WHERE user_id = ${userId} AND status IN ('pending', 'completing') AND expires_at > now()`;
  return Number(row?.n ?? 0);
}

export async function countActiveJobs(tx: TransactionSql, userId: string): Promise<number> {
  const [row] = await tx<{ n: string }[]>`
    SELECT count(*) AS n FROM jobs WHERE user_id = ${userId} AND status IN ('pending', 'running')`;
  return Number(row?.n ?? 0);
}

export async function storedBytes(tx: TransactionSql, userId: string): Promise<number> {
  const [row] = await tx<{ n: string }[]>`
    SELECT (SELECT coalesce(sum(file_size), 0) FROM gallery_videos WHERE user_id = ${userId})
         + (SELECT coalesce(sum(declared_size), 0) FROM uploads
            WHERE user_id = ${userId} AND status IN ('pending', 'completing') AND expires_at > now()) AS n`;
  return Number(row?.n ?? 0);
}

/** Throws quota_exceeded when one more active job would pass the user's limit. */
export async function checkActiveJobs(
  tx: TransactionSql,
  userId: string,
  quotas: UserQuotas,
): Promise<void> {
  const active = await countActiveJobs(tx, userId);
  if (active >= quotas.activeJobs)
    throw quotaExceeded(
      'activeJobs',
      quotas.activeJobs,
      active,
      `you already have ${active} jobs in progress (the limit is ${quotas.activeJobs}); wait for one to finish`,
    );
}

/** Postgres' unique_violation on the "one active job per video" index. */
export function isOneActiveJobViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint_name' in error &&
    error.constraint_name === 'jobs_one_active_per_video_idx'
  );
}
