import { createLogger, type Sql } from '@videoforge/platform';
import { addToOutbox, createOutboxRelay } from '@videoforge/platform/outbox';
import type { QueuePort } from '@videoforge/platform/queue';
import { waitUntil } from './process.ts';

const quiet = createLogger({ service: 'test', level: 'silent' });

/** A user `username` (email `username`@example.com); resolves with its id. */
export async function insertTestUser(sql: Sql, username: string): Promise<string> {
  const [user] = await sql<{ id: string }[]>`
    INSERT INTO users (username, email) VALUES (${username}, ${`${username}@example.com`}) RETURNING id`;
  return user?.id ?? '';
}

/**
 * A video of `sourceKey` and a job for its `formats`, as the API creates them: the job's
 * output prefix named by its id and, unless `outbox: false`, the job's transcode message
 * added to the outbox in the same transaction. Resolves with the job's id.
 */
export async function insertTestJob(
  sql: Sql,
  {
    userId,
    title,
    sourceKey,
    formats,
    durationSeconds = 2,
    outbox = true,
  }: {
    userId: string;
    title: string;
    sourceKey: string;
    formats: string[];
    durationSeconds?: number | null;
    outbox?: boolean;
  },
): Promise<string> {
  const [video] = await sql<{ id: string }[]>`
    INSERT INTO gallery_videos (user_id, title, source_key, duration_seconds)
    VALUES (${userId}, ${title}, ${sourceKey}, ${durationSeconds}) RETURNING id`;
  return sql.begin(async (tx) => {
    const [job] = await tx<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix)
      VALUES (${userId}, ${video?.id ?? ''}, ${formats}, ${sourceKey}, 'videos/output/pending/') RETURNING id`;
    const id = job?.id ?? '';
    await tx`UPDATE jobs SET output_prefix = ${`videos/output/${id}/`} WHERE id = ${id}`;
    if (outbox) await addToOutbox(tx, 'transcode', { jobId: id });
    return id;
  });
}

/** Sends what the outbox holds to `queue` once, as the API's relay would. */
export async function relayOutboxOnce(sql: Sql, queue: QueuePort): Promise<void> {
  await createOutboxRelay({ sql, queueFor: () => queue, logger: quiet }).relayOnce();
}

export interface JobOutcome {
  status: string;
  progress: string;
  error_message: string | null;
  video_status: string;
}

/**
 * Polls the job until it succeeded or failed (or `stopWhen()`, e.g. its worker exited);
 * resolves with its last row. A timeout's message shows the row and `output()`.
 */
export async function waitForJobToFinish(
  sql: Sql,
  jobId: string,
  {
    timeoutMs,
    intervalMs,
    output = () => '',
    stopWhen = () => false,
  }: {
    timeoutMs: number;
    intervalMs: number;
    output?: () => string;
    stopWhen?: () => boolean;
  },
): Promise<JobOutcome | undefined> {
  let row: JobOutcome | undefined;
  await waitUntil(
    async () => {
      [row] = await sql<JobOutcome[]>`
        SELECT j.status, j.progress, j.error_message, v.status AS video_status
        FROM jobs j JOIN gallery_videos v ON v.id = j.video_id WHERE j.id = ${jobId}`;
      return row?.status === 'succeeded' || row?.status === 'failed' || stopWhen();
    },
    { timeoutMs, intervalMs, describe: () => `${JSON.stringify(row)}\n${output()}` },
  );
  return row;
}
