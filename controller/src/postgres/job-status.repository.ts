import {
  JOB_EVENTS_CHANNEL,
  finalOutputKey,
  renditionPlaylistKey,
  type JobEventNotification,
  type Phase,
  type TranscodeJobStatus,
} from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';

const JOB_STATUS: Record<Phase, 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled'> = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
};

export interface MirrorInput {
  jobId: string;
  videoId?: string;
  outputPrefix: string;
  status: TranscodeJobStatus;
}

/**
 * Mirrors a TranscodeJob's status into Postgres, where the API and web read it: the
 * job row, the video's state (playable once a rendition has its first segments in
 * storage, status.playableAt; ready when all are done), and media_assets rows for finished outputs. Writes only what changed and
 * announces a change on JOB_EVENTS_CHANNEL for live updates.
 */
export async function mirrorJobStatus(sql: Sql, input: MirrorInput): Promise<boolean> {
  const phase = input.status.phase ?? 'Pending';
  const status = JOB_STATUS[phase];
  const progress = input.status.progress ?? 0;
  const failed = input.status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  const errorMessage = phase === 'Failed' ? (failed?.message ?? 'failed') : null;
  const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Cancelled';
  const renditions = input.status.renditions ?? [];
  const done = renditions.filter((r) => r.phase === 'Succeeded');
  const renditionProgress = renditions.map((r) => ({
    name: r.name,
    phase: JOB_STATUS[r.phase],
    progress: r.phase === 'Succeeded' ? 100 : (r.progress ?? 0),
    ...(r.quality ? { quality: r.quality } : {}),
    ...(r.twins?.length ? { twins: r.twins } : {}),
  }));
  // The audio/subtitle workload (absent from statuses written before it existed).
  const tracks = input.status.tracks
    ? {
        phase: JOB_STATUS[input.status.tracks.phase],
        ...(input.status.tracks.attempts !== undefined
          ? { attempts: input.status.tracks.attempts }
          : {}),
        ...(input.status.tracks.message
          ? { message: input.status.tracks.message.slice(0, 2000) }
          : {}),
      }
    : null;
  const tracksDone = !input.status.tracks || input.status.tracks.phase === 'Succeeded';
  const playableAt = input.status.playableAt ? new Date(input.status.playableAt) : null;

  return input.jobId
    ? sql.begin(async (tx) => {
        // Read (and lock) first: whether this write is the one that makes the job playable.
        const [before] = await tx<{ playable_at: Date | null }[]>`
          SELECT playable_at FROM jobs WHERE id = ${input.jobId} FOR UPDATE`;
        const [job] = await tx<
          { id: string; video_id: string; user_id: string; playable_at: Date | null }[]
        >`
          UPDATE jobs SET
            status = ${status},
            progress = ${progress},
            error_message = ${errorMessage},
            renditions = ${tx.json(renditionProgress)},
            tracks = ${tracks ? tx.json(tracks) : null},
            playable_at = coalesce(playable_at, ${playableAt}::timestamptz),
            started_at = CASE WHEN ${phase !== 'Pending'} THEN coalesce(started_at, now()) ELSE started_at END,
            completed_at = CASE WHEN ${terminal} THEN coalesce(completed_at, now()) ELSE NULL END,
            updated_at = now()
          WHERE id = ${input.jobId}
            AND (status, progress, error_message, renditions, tracks, playable_at)
                IS DISTINCT FROM (${status}, ${progress}::numeric, ${errorMessage}::text, ${tx.json(renditionProgress)}::jsonb, ${tracks ? tx.json(tracks) : null}::jsonb,
                                  coalesce(playable_at, ${playableAt}::timestamptz))
            -- a job the API cancelled stays cancelled whatever a late status says
            AND NOT (status = 'cancelled' AND ${status} <> 'cancelled')
          RETURNING id, video_id, user_id, playable_at`;
        if (!job) return false;
        const becamePlayable = (before?.playable_at ?? null) === null && job.playable_at !== null;

        const videoStatus =
          phase === 'Succeeded'
            ? 'ready'
            : phase === 'Failed' && done.length === 0
              ? 'failed'
              : job.playable_at !== null || (done.length > 0 && tracksDone)
                ? 'playable'
                : 'processing';
        await tx`
          UPDATE gallery_videos SET
            status = ${videoStatus},
            master_playlist_key = CASE WHEN ${phase === 'Succeeded'} THEN ${finalOutputKey(input.outputPrefix, 'master')} ELSE master_playlist_key END,
            thumbnail_key = CASE WHEN ${phase === 'Succeeded'} THEN ${finalOutputKey(input.outputPrefix, 'poster')} ELSE thumbnail_key END,
            sprite_key = CASE WHEN ${phase === 'Succeeded'} THEN ${finalOutputKey(input.outputPrefix, 'sprite')} ELSE sprite_key END,
            playable_at = coalesce(playable_at, ${job.playable_at}::timestamptz),
            updated_at = now()
          WHERE id = ${job.video_id}`;
        for (const rendition of done) {
          // The rendition's row, then one per measured twin (same rendition, its own variant).
          const variants = [
            { variant: rendition.name, quality: rendition.quality, bytes: rendition.bytes },
            ...(rendition.twins ?? []).map((twin) => ({ ...twin, bytes: undefined })),
          ];
          for (const { variant, quality, bytes } of variants) {
            await tx`
              INSERT INTO media_assets (job_id, video_id, asset_type, rendition, variant, storage_key, content_type, file_size,
                                        ssim, psnr_db, quality_sampled_seconds)
              VALUES (${job.id}, ${job.video_id}, 'rendition', ${rendition.name}, ${variant},
                      ${renditionPlaylistKey(input.outputPrefix, variant)}, 'application/vnd.apple.mpegurl', ${bytes ?? null},
                      ${quality?.ssim ?? null}, ${quality?.psnrDb ?? null}, ${quality?.sampledSeconds ?? null})
              -- a measurement read on a later pass (a pod log) fills in a row made without it
              ON CONFLICT (video_id, asset_type, rendition, storage_key) DO UPDATE SET
                variant = EXCLUDED.variant,
                ssim = coalesce(EXCLUDED.ssim, media_assets.ssim),
                psnr_db = coalesce(EXCLUDED.psnr_db, media_assets.psnr_db),
                quality_sampled_seconds = coalesce(EXCLUDED.quality_sampled_seconds, media_assets.quality_sampled_seconds)`;
          }
        }
        const event: JobEventNotification = {
          type: 'job',
          jobId: job.id,
          videoId: job.video_id,
          userId: job.user_id,
          status,
          progress,
          renditions: renditionProgress,
          ...(errorMessage ? { error: errorMessage } : {}),
          playable: job.playable_at !== null,
          playableAt: job.playable_at?.toISOString() ?? null,
          ...(becamePlayable ? { becamePlayable } : {}),
        };
        await tx`SELECT pg_notify(${JOB_EVENTS_CHANNEL}, ${JSON.stringify(event)})`;
        return true;
      })
    : false;
}
