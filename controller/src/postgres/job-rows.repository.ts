import { outputPrefixFor, type TranscodeJobSpec } from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';

/**
 * The account that owns videos whose TranscodeJob was applied by hand. It is found by
 * its `system_account` marker, never by name: anyone may register "kubernetes-operator".
 * The name and email hold a ":", which registration refuses, so they cannot collide.
 */
const OPERATOR_ACCOUNT = 'kubernetes-operator';
const OPERATOR_NAME = `system:${OPERATOR_ACCOUNT}`;

/**
 * For a TranscodeJob created with `kubectl apply` (no jobId): the video and job rows
 * the API and web need, owned by a system account, in one transaction. Keyed on the
 * resource's uid: a reconcile that runs again before the spec patch is seen (a stale
 * informer cache, a restart) gets the same rows back instead of a second set.
 */
export async function createRowsForManualJob(
  sql: Sql,
  resource: { uid: string; name: string },
  spec: TranscodeJobSpec,
): Promise<{ jobId: string; videoId: string }> {
  const { uid, name } = resource;
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`videoforge.adopt:${uid}`}))`;
    const [existing] = await tx<
      { id: string; video_id: string }[]
    >`SELECT id, video_id FROM jobs WHERE resource_uid = ${uid}`;
    if (existing) return { jobId: existing.id, videoId: existing.video_id };
    const [user] = await tx<{ id: string }[]>`
      INSERT INTO users (username, email, role, system_account)
      VALUES (${OPERATOR_NAME}, ${OPERATOR_NAME}, 'admin', ${OPERATOR_ACCOUNT})
      ON CONFLICT (system_account) WHERE system_account IS NOT NULL
      DO UPDATE SET updated_at = users.updated_at
      RETURNING id`;
    const [video] = await tx<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, source_key)
      VALUES (${user?.id ?? ''}, ${name}, 'private', ${spec.source.key}) RETURNING id`;
    const [job] = await tx<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, formats, strategy, input_key, output_prefix, resource_uid, codecs)
      VALUES (${user?.id ?? ''}, ${video?.id ?? ''}, ${spec.renditions.map((r) => r.name)}, ${spec.strategy}, ${spec.source.key}, 'videos/output/pending/', ${uid}, ${spec.codecs ? [...spec.codecs] : null})
      RETURNING id`;
    const jobId = job?.id ?? '';
    await tx`UPDATE jobs SET output_prefix = ${outputPrefixFor(jobId)} WHERE id = ${jobId}`;
    return { jobId, videoId: video?.id ?? '' };
  });
}

/** Whether the API cancelled this job (the user pressed cancel or deleted the video). */
export async function isJobCancelled(sql: Sql, jobId: string): Promise<boolean> {
  const [row] = await sql<{ status: string }[]>`SELECT status FROM jobs WHERE id = ${jobId}`;
  return !row || row.status === 'cancelled';
}

/** The source's duration, for the media-seconds-transcoded metric. */
export async function mediaDurationOfJob(sql: Sql, jobId: string): Promise<number | undefined> {
  const [video] = await sql<{ duration_seconds: number | null }[]>`
    SELECT v.duration_seconds FROM gallery_videos v JOIN jobs j ON j.video_id = v.id WHERE j.id = ${jobId}`;
  return video?.duration_seconds ?? undefined;
}
