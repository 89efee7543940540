import type { Visibility } from '@videoforge/contracts';
import { camelColumns, type Sql, type TransactionSql } from '@videoforge/platform/database';

export type UploadStatus = 'pending' | 'completing' | 'completed' | 'aborted' | 'rejected';

export interface UploadRow {
  id: string;
  userId: string;
  storageKey: string;
  multipartId: string | null;
  originalFilename: string;
  contentType: string;
  declaredSize: number;
  /** Multipart only: every part but the last is exactly this long. */
  partSize: number | null;
  title: string;
  description: string;
  visibility: Visibility;
  status: UploadStatus;
  expiresAt: Date;
  createdAt: Date;
}

interface RawUpload {
  id: string;
  user_id: string;
  storage_key: string;
  multipart_id: string | null;
  original_filename: string;
  content_type: string;
  declared_size: string;
  part_size: string | null;
  title: string;
  description: string;
  visibility: Visibility;
  status: UploadStatus;
  expires_at: Date;
  created_at: Date;
}

function toRow(raw: RawUpload): UploadRow {
  return {
    ...camelColumns(raw),
    // bigint columns arrive as strings
    declaredSize: Number(raw.declared_size),
    partSize: raw.part_size === null ? null : Number(raw.part_size),
  };
}

export function createUploadsRepository(sql: Sql) {
  return {
    async insert(
      row: Omit<UploadRow, 'status' | 'createdAt'>,
      tx: Sql | TransactionSql = sql,
    ): Promise<void> {
      await tx`
        INSERT INTO uploads (id, user_id, storage_key, multipart_id, original_filename, content_type, declared_size,
          part_size, title, description, visibility, expires_at)
        VALUES (${row.id}, ${row.userId}, ${row.storageKey}, ${row.multipartId}, ${row.originalFilename}, ${row.contentType},
          ${row.declaredSize}, ${row.partSize}, ${row.title}, ${row.description}, ${row.visibility}, ${row.expiresAt})`;
    },
    /** The user's uploads that can still be finished, newest first. */
    async listUnfinished(userId: string): Promise<UploadRow[]> {
      const rows = await sql<RawUpload[]>`
        SELECT * FROM uploads
        WHERE user_id = ${userId} AND status IN ('pending', 'completing') AND expires_at > now()
        ORDER BY created_at DESC LIMIT 1000`;
      return rows.map(toRow);
    },
    async find(id: string): Promise<UploadRow | undefined> {
      const [raw] = await sql<RawUpload[]>`SELECT * FROM uploads WHERE id = ${id}`;
      return raw && toRow(raw);
    },
    /** Moves an upload between states only from the expected one, so two completes cannot both run. */
    async transition(id: string, from: UploadStatus, to: UploadStatus): Promise<boolean> {
      const rows = await sql`
        UPDATE uploads SET status = ${to}, updated_at = now() WHERE id = ${id} AND status = ${from} RETURNING id`;
      return rows.length === 1;
    },
    /**
     * Claims pending uploads whose URLs have expired, marking them aborted. SKIP LOCKED
     * lets several API replicas sweep at once without claiming the same upload twice.
     */
    async claimExpired(limit: number): Promise<UploadRow[]> {
      const rows = await sql<RawUpload[]>`
        UPDATE uploads SET status = 'aborted', updated_at = now()
        WHERE id IN (
          SELECT id FROM uploads
          WHERE expires_at < now()
            AND (status = 'pending'
                 -- A complete that never finished (the process died mid-way): nothing
                 -- will move it on, and a live one takes seconds, not an hour.
                 OR (status = 'completing' AND updated_at < now() - interval '1 hour'))
          ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING *`;
      return rows.map(toRow);
    },
    /** Inside the transaction that writes the video, so an upload is completed exactly when its video exists. */
    async markCompleted(tx: TransactionSql, id: string, videoId: string): Promise<void> {
      await tx`UPDATE uploads SET status = 'completed', video_id = ${videoId}, updated_at = now() WHERE id = ${id} AND status = 'completing'`;
    },
  };
}
export type UploadsRepository = ReturnType<typeof createUploadsRepository>;
