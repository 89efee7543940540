import type { Caption } from '@videoforge/contracts';
import { camelColumns, type Sql } from '@videoforge/platform/database';
import { iso } from '../http/validate.ts';

export interface CaptionRow extends Caption {
  storagePrefix: string;
}

interface RawCaption {
  id: string;
  video_id: string;
  language: string;
  label: string;
  source_format: 'srt' | 'vtt';
  cue_count: number;
  storage_prefix: string;
  created_at: Date;
}

function toRow(raw: RawCaption): CaptionRow {
  return { ...camelColumns(raw), createdAt: iso(raw.created_at) };
}

export function toCaption({ storagePrefix: _prefix, ...caption }: CaptionRow): Caption {
  return caption;
}

export function createCaptionsRepository(sql: Sql) {
  return {
    async forVideo(videoId: string): Promise<CaptionRow[]> {
      const rows = await sql<RawCaption[]>`
        SELECT id, video_id, language, label, source_format, cue_count, storage_prefix, created_at
        FROM video_captions WHERE video_id = ${videoId} ORDER BY id`;
      return rows.map(toRow);
    },

    async find(videoId: string, id: string): Promise<CaptionRow | undefined> {
      const [row] = await sql<RawCaption[]>`
        SELECT id, video_id, language, label, source_format, cue_count, storage_prefix, created_at
        FROM video_captions WHERE video_id = ${videoId} AND id = ${id}`;
      return row ? toRow(row) : undefined;
    },

    async insert(input: {
      videoId: string;
      createdBy: string;
      language: string;
      label: string;
      sourceFormat: 'srt' | 'vtt';
      cueCount: number;
      storagePrefix: string;
    }): Promise<CaptionRow> {
      const [row] = await sql<RawCaption[]>`
        INSERT INTO video_captions (video_id, created_by, language, label, source_format, cue_count, storage_prefix)
        VALUES (${input.videoId}, ${input.createdBy}, ${input.language}, ${input.label},
                ${input.sourceFormat}, ${input.cueCount}, ${input.storagePrefix})
        RETURNING id, video_id, language, label, source_format, cue_count, storage_prefix, created_at`;
      if (!row) throw new Error('insert returned no row');
      return toRow(row);
    },

    async delete(videoId: string, id: string): Promise<boolean> {
      const rows =
        await sql`DELETE FROM video_captions WHERE video_id = ${videoId} AND id = ${id} RETURNING id`;
      return rows.length > 0;
    },
  };
}
export type CaptionsRepository = ReturnType<typeof createCaptionsRepository>;
