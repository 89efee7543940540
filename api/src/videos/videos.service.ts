import {
  renditionMp4Key,
  type DownloadsResponse,
  type RenditionQuality,
  type TwinQuality,
  type Video,
  type VideoListQuery,
  type VideoPage,
  type VideoUpdateRequest,
} from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import type { StoragePort } from '@videoforge/platform/storage';
import type { Principal } from '../auth/tokens.ts';
import { canManage, canView } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundError } from '../http/validate.ts';
import type { JobRow, JobsRepository } from '../jobs/jobs.repository.ts';
import { captionsPrefix } from '../tracks/tracks.service.ts';
import { readVideoProcessing } from './video-processing.reader.ts';
import { rangeProblems } from './gallery-query.ts';
import { toVideo, type VideoRow, type VideosRepository } from './videos.repository.ts';

export interface VideosServiceDeps {
  videos: VideosRepository;
  jobs: JobsRepository;
  storage: StoragePort;
  logger: Logger;
}

const DOWNLOAD_TTL_SECONDS = 15 * 60;

/** The directory an upload's source sits in (`videos/raw/{user}/{uuid}/`), removed whole on delete. */
export function sourcePrefix(sourceKey: string): string | undefined {
  const match = /^(videos\/raw\/[0-9]+\/[0-9a-f-]{36}\/)[^/]+$/.exec(sourceKey);
  return match?.[1];
}

/**
 * The measured quality of the streamed job's renditions and their twins, as the
 * controller mirrored it from the TranscodeJob status into the job row; renditions not
 * measured are left out (with their twins: the list is keyed by the H.264 figure).
 */
export function measuredRenditions(
  job: Pick<JobRow, 'renditions'> | undefined,
): { name: string; quality: RenditionQuality; twins?: TwinQuality[] }[] {
  return (job?.renditions ?? []).flatMap(({ name, quality, twins }) =>
    quality ? [{ name, quality, ...(twins?.length ? { twins } : {}) }] : [],
  );
}

export function createVideosService({ videos, jobs, storage, logger }: VideosServiceDeps) {
  async function visible(principal: Principal | undefined, id: string): Promise<VideoRow> {
    const video = await videos.findById(id);
    if (!video || !canView(principal, video)) throw notFoundError('video');
    return video;
  }
  async function managed(principal: Principal, id: string): Promise<VideoRow> {
    const video = await videos.findById(id);
    // Someone else's public video exists, but they may not change it.
    if (!video || !canView(principal, video)) throw notFoundError('video');
    if (!canManage(principal, video.ownerId))
      throw new HttpError(403, 'forbidden', 'only the owner or an admin may change this video');
    return video;
  }
  const page = (
    query: VideoListQuery,
    result: { items: VideoRow[]; total: number },
  ): VideoPage => ({
    items: result.items.map(toVideo),
    page: query.page,
    pageSize: query.pageSize,
    total: result.total,
  });
  const checkRanges = (query: VideoListQuery) => {
    const problems = rangeProblems(query);
    if (problems.length > 0)
      throw new HttpError(400, 'validation_failed', problems.join('; '), {
        issues: problems.map((message) => ({ path: 'query', message })),
      });
  };

  return {
    visible,

    async listPublic(principal: Principal | undefined, query: VideoListQuery): Promise<VideoPage> {
      checkRanges(query);
      if (query.scope === 'all' && principal?.role !== 'admin')
        throw new HttpError(403, 'forbidden', 'only admins may list every video');
      return page(query, await videos.list({ kind: query.scope }, query));
    },

    async listMine(principal: Principal, query: VideoListQuery): Promise<VideoPage> {
      checkRanges(query);
      return page(query, await videos.list({ kind: 'owner', userId: principal.userId }, query));
    },

    async get(principal: Principal | undefined, id: string): Promise<Video> {
      const video = toVideo(await visible(principal, id));
      const job = await jobs.latestSucceeded(id);
      const processing = await readVideoProcessing(storage, job);
      const renditions = measuredRenditions(job);
      return {
        ...video,
        ...(processing ? { processing } : {}),
        ...(renditions.length > 0 ? { renditions } : {}),
      };
    },

    async update(principal: Principal, id: string, changes: VideoUpdateRequest): Promise<Video> {
      const video = await managed(principal, id);
      await videos.update(video.id, changes);
      return toVideo((await videos.findById(video.id)) ?? video);
    },

    /**
     * Cancels running work first (the controller reacts to the cancelled rows and stops
     * writing), then removes every stored object, then the rows. Object deletion is
     * idempotent, so a failure part-way can simply be retried.
     */
    async delete(principal: Principal, id: string): Promise<void> {
      const video = await managed(principal, id);
      await jobs.cancelForVideo(video.id);
      const prefix = sourcePrefix(video.sourceKey);
      if (prefix) await storage.deletePrefix(prefix);
      else await storage.delete(video.sourceKey);
      for (const job of await jobs.forVideo(video.id)) {
        if (job.outputPrefix) await storage.deletePrefix(job.outputPrefix);
      }
      // Sidecar captions (their rows go with the video's, by cascade).
      await storage.deletePrefix(captionsPrefix(video.id));
      await videos.delete(video.id);
      logger.info({ videoId: video.id }, 'video deleted with its stored objects');
    },

    async downloads(principal: Principal | undefined, id: string): Promise<DownloadsResponse> {
      const video = await visible(principal, id);
      const job = await jobs.latestSucceeded(video.id);
      if (!job) return { items: [] };
      const expiresAt = new Date(Date.now() + DOWNLOAD_TTL_SECONDS * 1000).toISOString();
      const safeTitle = video.title.replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 80) || 'video';
      const items = [];
      for (const rendition of job.formats) {
        const key = renditionMp4Key(job.outputPrefix, rendition);
        if (!(await storage.head(key))) continue;
        const url = await storage.presignGet(key, {
          expiresInSeconds: DOWNLOAD_TTL_SECONDS,
          downloadName: `${safeTitle}-${rendition}.mp4`,
        });
        items.push({ rendition, url, expiresAt });
      }
      return { items };
    },
  };
}
export type VideosService = ReturnType<typeof createVideosService>;
