import {
  Video,
  type VideoListQuery,
  type VideoStatus,
  type Visibility,
} from '@videoforge/contracts';
import { camelColumns, type Sql, type TransactionSql } from '@videoforge/platform/database';
import { iso, num } from '../http/validate.ts';
import { likePattern, offsetOf, orderBy } from './gallery-query.ts';

export interface VideoRow extends Video {
  sourceKey: string;
  masterPlaylistKey: string | null;
  thumbnailKey: string | null;
}

interface RawVideo {
  id: string;
  user_id: string;
  owner_name: string;
  title: string;
  description: string;
  visibility: Visibility;
  status: VideoStatus;
  original_filename: string | null;
  source_key: string;
  thumbnail_key: string | null;
  master_playlist_key: string | null;
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  frame_rate: number | null;
  video_codec: string | null;
  audio_codec: string | null;
  bit_rate: string | null;
  file_size: string | null;
  playable_at?: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toRow({ user_id: ownerId, ...raw }: RawVideo): VideoRow {
  return {
    ...camelColumns(raw),
    ownerId,
    // bigint columns arrive as strings
    bitRate: num(raw.bit_rate),
    fileSize: num(raw.file_size),
    // A video made ready before 0016 has no moment recorded, but plays.
    playable: raw.status === 'playable' || raw.status === 'ready',
    playableAt: iso(raw.playable_at ?? null),
    createdAt: iso(raw.created_at),
    updatedAt: iso(raw.updated_at),
  };
}

/** The public shape: storage keys stay inside the API. */
export function toVideo(row: VideoRow): Video {
  return Video.parse(row);
}

export interface NewVideo {
  userId: string;
  title: string;
  description: string;
  visibility: Visibility;
  originalFilename: string;
  sourceKey: string;
  durationSeconds: number;
  width: number;
  height: number;
  frameRate: number;
  videoCodec: string;
  audioCodec: string | null;
  bitRate: number | null;
  fileSize: number;
}

export type VideoScope = { kind: 'public' } | { kind: 'all' } | { kind: 'owner'; userId: string };

export function createVideosRepository(sql: Sql) {
  return {
    async insert(db: TransactionSql, video: NewVideo): Promise<string> {
      const [row] = await db<{ id: string }[]>`
        INSERT INTO gallery_videos (user_id, title, description, visibility, status, original_filename, source_key,
          duration_seconds, width, height, frame_rate, video_codec, audio_codec, bit_rate, file_size)
        VALUES (${video.userId}, ${video.title}, ${video.description}, ${video.visibility}, 'processing',
          ${video.originalFilename}, ${video.sourceKey}, ${video.durationSeconds}, ${video.width}, ${video.height},
          ${video.frameRate}, ${video.videoCodec}, ${video.audioCodec}, ${video.bitRate}, ${video.fileSize})
        RETURNING id`;
      if (!row) throw new Error('insert returned no row');
      return row.id;
    },

    async findById(id: string): Promise<VideoRow | undefined> {
      const [raw] = await sql<RawVideo[]>`
        SELECT v.*, u.username AS owner_name FROM gallery_videos v JOIN users u ON u.id = v.user_id WHERE v.id = ${id}`;
      return raw && toRow(raw);
    },

    async list(
      scope: VideoScope,
      query: VideoListQuery,
    ): Promise<{ items: VideoRow[]; total: number }> {
      const conditions = [
        scope.kind === 'public'
          ? sql`v.visibility = 'public'`
          : scope.kind === 'owner'
            ? sql`v.user_id = ${scope.userId}`
            : sql`TRUE`,
      ];
      if (query.q) {
        // Substring search, as the original gallery behaved ("cat" finds "Cats").
        conditions.push(
          sql`(v.title ILIKE ${likePattern(query.q)} OR v.description ILIKE ${likePattern(query.q)})`,
        );
      }
      if (query.minDuration !== undefined)
        conditions.push(sql`v.duration_seconds >= ${query.minDuration}`);
      if (query.maxDuration !== undefined)
        conditions.push(sql`v.duration_seconds <= ${query.maxDuration}`);
      // Resolution is the short side, as rendition names count it (a portrait 1080×1920 is "1080p").
      if (query.minResolution !== undefined)
        conditions.push(sql`least(v.width, v.height) >= ${query.minResolution}`);
      if (query.maxResolution !== undefined)
        conditions.push(sql`least(v.width, v.height) <= ${query.maxResolution}`);
      if (query.uploadedAfter)
        conditions.push(sql`v.created_at >= ${new Date(query.uploadedAfter)}`);
      if (query.uploadedBefore)
        conditions.push(sql`v.created_at <= ${new Date(query.uploadedBefore)}`);
      const where = conditions.reduce((all, condition) => sql`${all} AND ${condition}`);
      const rows = await sql<(RawVideo & { total: string })[]>`
        SELECT v.*, u.username AS owner_name, count(*) OVER () AS total
        FROM gallery_videos v JOIN users u ON u.id = v.user_id
        WHERE ${where}
        ORDER BY ${sql.unsafe(orderBy(query.sort, query.order))}
        LIMIT ${query.pageSize} OFFSET ${offsetOf(query)}`;
      let total = Number(rows[0]?.total ?? 0);
      if (rows.length === 0 && query.page > 1) {
        const [count] = await sql<
          { n: string }[]
        >`SELECT count(*) AS n FROM gallery_videos v WHERE ${where}`;
        total = Number(count?.n ?? 0);
      }
      return { items: rows.map(toRow), total };
    },

    async update(
      id: string,
      fields: {
        title?: string | undefined;
        description?: string | undefined;
        visibility?: Visibility | undefined;
      },
    ): Promise<void> {
      await sql`
        UPDATE gallery_videos SET
          title = coalesce(${fields.title ?? null}, title),
          description = coalesce(${fields.description ?? null}, description),
          visibility = coalesce(${fields.visibility ?? null}, visibility),
          updated_at = now()
        WHERE id = ${id}`;
    },

    async delete(id: string): Promise<void> {
      await sql`DELETE FROM gallery_videos WHERE id = ${id}`;
    },
  };
}
export type VideosRepository = ReturnType<typeof createVideosRepository>;
