import {
  JOB_EVENTS_CHANNEL,
  OUTBOX_TOPIC_TRANSCODE,
  outputPrefixFor,
  type CodecFamily,
  type Job,
  type JobRendition,
  type JobEventNotification,
  type JobStatus,
} from '@videoforge/contracts';
import { camelColumns, type Sql, type TransactionSql } from '@videoforge/platform/database';
import { addToOutbox } from '@videoforge/platform/outbox';
import { iso } from '../http/validate.ts';

export interface JobRow {
  id: string;
  userId: string;
  videoId: string;
  status: JobStatus;
  progress: number;
  formats: string[];
  /** An HDR set was asked for beside the SDR ladder. */
  hdr: boolean;
  /** The codec families asked for; null: the server's default. */
  codecs: CodecFamily[] | null;
  inputKey: string;
  outputPrefix: string;
  errorMessage: string | null;
  attempts: number;
  /** Per-rendition state the controller mirrored; empty until it reports. */
  renditions: JobRendition[];
  tracks: Job['tracks'];
  /** When the controller saw its first segments published; null until then. */
  playableAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

interface RawJob {
  id: string;
  user_id: string;
  video_id: string;
  status: JobStatus;
  progress: string;
  formats: string[];
  hdr: boolean;
  codecs: CodecFamily[] | null;
  input_key: string;
  output_prefix: string;
  error_message: string | null;
  attempts: number;
  renditions: JobRendition[];
  tracks?: Job['tracks'];
  playable_at?: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

function toRow(raw: RawJob): JobRow {
  // numeric arrives as a string; rows read before the tracks column lack it
  return {
    ...camelColumns(raw),
    progress: Number(raw.progress),
    tracks: raw.tracks ?? null,
    playableAt: raw.playable_at ?? null,
  };
}

/** Rendition rows (media_assets) the controller recorded for a job, by name. */
export type FinishedRenditions = ReadonlySet<string>;

/**
 * Per-rendition progress: what the controller mirrored from the TranscodeJob, else
 * what Postgres knows otherwise (a rendition with a recorded asset is done; the rest
 * share the job's state).
 */
export function toJob(row: JobRow, finished: FinishedRenditions = new Set()): Job {
  const mirrored = new Map(row.renditions.map((r) => [r.name, r]));
  const phaseOf = (name: string) => {
    const reported = mirrored.get(name);
    // The measured quality, as the controller mirrored it from the TranscodeJob.
    const quality = {
      ...(reported?.quality ? { quality: reported.quality } : {}),
      ...(reported?.twins?.length ? { twins: reported.twins } : {}),
    };
    if (finished.has(name) || row.status === 'succeeded')
      return { phase: 'succeeded' as const, progress: 100, ...quality };
    if (reported) return { phase: reported.phase, progress: reported.progress, ...quality };
    return { phase: row.status, progress: row.status === 'pending' ? 0 : row.progress };
  };
  return {
    id: row.id,
    videoId: row.videoId,
    status: row.status,
    progress: row.progress,
    formats: row.formats,
    errorMessage: row.errorMessage,
    attempts: row.attempts,
    renditions: row.formats.map((name) => ({ name, ...phaseOf(name) })),
    tracks: row.tracks ?? null,
    // A finished job is playable even if it was never seen live (a job from before 0016).
    playable: row.playableAt !== null || row.status === 'succeeded',
    playableAt: iso(row.playableAt ?? (row.status === 'succeeded' ? row.completedAt : null)),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
  };
}

export const ACTIVE_STATUSES: readonly JobStatus[] = ['pending', 'running'];

function notification(row: JobRow): string {
  const event: JobEventNotification = {
    type: 'job',
    jobId: row.id,
    videoId: row.videoId,
    userId: row.userId,
    status: row.status,
    progress: row.progress,
    playable: row.playableAt !== null,
    playableAt: iso(row.playableAt),
  };
  return JSON.stringify(event);
}

export function createJobsRepository(sql: Sql) {
  return {
    /**
     * Inserts a job and its outbox message in the caller's transaction. The output
     * prefix is derived from the id, which exists only after the insert.
     */
    async insertWithOutbox(
      tx: TransactionSql,
      job: {
        userId: string;
        videoId: string;
        formats: string[];
        inputKey: string;
        hdr?: boolean | undefined;
        codecs?: readonly CodecFamily[] | undefined;
      },
    ): Promise<JobRow> {
      const [inserted] = await tx<{ id: string }[]>`
        INSERT INTO jobs (user_id, video_id, formats, input_key, output_prefix, hdr, codecs)
        VALUES (${job.userId}, ${job.videoId}, ${job.formats}, ${job.inputKey}, '', ${job.hdr === true}, ${job.codecs ? [...job.codecs] : null}) RETURNING id`;
      if (!inserted) throw new Error('insert returned no row');
      const [raw] = await tx<RawJob[]>`
        UPDATE jobs SET output_prefix = ${outputPrefixFor(inserted.id)} WHERE id = ${inserted.id} RETURNING *`;
      if (!raw) throw new Error('update returned no row');
      await addToOutbox(tx, OUTBOX_TOPIC_TRANSCODE, { jobId: inserted.id });
      const row = toRow(raw);
      // Delivered on commit, like the controller's status notifications.
      await tx`SELECT pg_notify(${JOB_EVENTS_CHANNEL}, ${notification(row)})`;
      return row;
    },

    async findById(id: string): Promise<JobRow | undefined> {
      const [raw] = await sql<RawJob[]>`SELECT * FROM jobs WHERE id = ${id}`;
      return raw && toRow(raw);
    },

    async forVideo(videoId: string): Promise<JobRow[]> {
      return (await sql<RawJob[]>`SELECT * FROM jobs WHERE video_id = ${videoId} ORDER BY id`).map(
        toRow,
      );
    },

    async list(
      scope: { userId?: string },
      filter: {
        status?: JobStatus | undefined;
        videoId?: string | undefined;
        page: number;
        pageSize: number;
      },
    ) {
      const conditions = [sql`TRUE`];
      if (scope.userId) conditions.push(sql`user_id = ${scope.userId}`);
      if (filter.status) conditions.push(sql`status = ${filter.status}`);
      if (filter.videoId) conditions.push(sql`video_id = ${filter.videoId}`);
      const where = conditions.reduce((all, c) => sql`${all} AND ${c}`);
      const rows = await sql<(RawJob & { total: string })[]>`
        SELECT *, count(*) OVER () AS total FROM jobs WHERE ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`;
      return { items: rows.map(toRow), total: Number(rows[0]?.total ?? 0) };
    },

    async finishedRenditions(jobId: string): Promise<Set<string>> {
      const rows = await sql<{ rendition: string }[]>`
        SELECT DISTINCT rendition FROM media_assets WHERE job_id = ${jobId} AND asset_type = 'rendition' AND rendition IS NOT NULL`;
      return new Set(rows.map((r) => r.rendition));
    },

    /** Cancels active work; the controller sees the row and stops the workloads. */
    async cancel(id: string): Promise<JobRow | undefined> {
      return sql.begin(async (tx) => {
        const [raw] = await tx<RawJob[]>`
          UPDATE jobs SET status = 'cancelled', completed_at = now(), updated_at = now()
          WHERE id = ${id} AND status IN ('pending', 'running') RETURNING *`;
        if (!raw) return undefined;
        const row = toRow(raw);
        await tx`SELECT pg_notify(${JOB_EVENTS_CHANNEL}, ${notification(row)})`;
        return row;
      });
    },

    async cancelForVideo(videoId: string): Promise<void> {
      await sql.begin(async (tx) => {
        const rows = await tx<RawJob[]>`
          UPDATE jobs SET status = 'cancelled', completed_at = now(), updated_at = now()
          WHERE video_id = ${videoId} AND status IN ('pending', 'running') RETURNING *`;
        for (const raw of rows)
          await tx`SELECT pg_notify(${JOB_EVENTS_CHANNEL}, ${notification(toRow(raw))})`;
      });
    },

    async hasActive(videoId: string): Promise<boolean> {
      const rows =
        await sql`SELECT 1 FROM jobs WHERE video_id = ${videoId} AND status IN ('pending', 'running') LIMIT 1`;
      return rows.length > 0;
    },

    /** The newest finished job of a video: its outputs are what the player streams. */
    async latestSucceeded(videoId: string): Promise<JobRow | undefined> {
      const [raw] = await sql<RawJob[]>`
        SELECT * FROM jobs WHERE video_id = ${videoId} AND status = 'succeeded' ORDER BY completed_at DESC NULLS LAST, id DESC LIMIT 1`;
      return raw && toRow(raw);
    },
  };
}
export type JobsRepository = ReturnType<typeof createJobsRepository>;
