import type { CodecFamily, Job, JobCreateRequest, JobListQuery } from '@videoforge/contracts';
import { renditionsForSource } from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import type { Principal } from '../auth/tokens.ts';
import { canManage } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundError } from '../http/validate.ts';
import type { VideosRepository } from '../videos/videos.repository.ts';
import {
  checkActiveJobs,
  DEFAULT_USER_QUOTAS,
  isOneActiveJobViolation,
  lockUserQuotas,
  type UserQuotas,
} from '../uploads/user-quotas.ts';
import { toJob, type JobRow, type JobsRepository } from './jobs.repository.ts';

export interface JobsServiceDeps {
  sql: Sql;
  jobs: JobsRepository;
  videos: VideosRepository;
  quotas?: Partial<UserQuotas> | undefined;
}

export function createJobsService({ sql, jobs, videos, quotas: given }: JobsServiceDeps) {
  const quotas: UserQuotas = { ...DEFAULT_USER_QUOTAS, ...given };
  /** Someone else's job is a 404, like someone else's private video. */
  async function managedJob(principal: Principal, id: string): Promise<JobRow> {
    const job = await jobs.findById(id);
    if (!job || !canManage(principal, job.userId)) throw notFoundError('job');
    return job;
  }

  async function present(job: JobRow): Promise<Job> {
    return toJob(job, await jobs.finishedRenditions(job.id));
  }

  async function enqueue(
    principal: Principal,
    videoId: string,
    formats: string[],
    hdr?: boolean,
    codecs?: readonly CodecFamily[] | null,
  ): Promise<Job> {
    const video = await videos.findById(videoId);
    if (!video || !canManage(principal, video.ownerId)) throw notFoundError('video');
    if (await jobs.hasActive(videoId))
      throw new HttpError(409, 'conflict', 'this video already has a job in progress');
    // The check above answers most callers; the unique partial index answers a race.
    const job = await sql
      .begin(async (tx) => {
        await lockUserQuotas(tx, video.ownerId);
        await checkActiveJobs(tx, video.ownerId, quotas);
        return jobs.insertWithOutbox(tx, {
          userId: video.ownerId,
          videoId,
          // A source below the lowest rendition gets its own-size rendition whatever was picked.
          formats:
            video.width && video.height
              ? renditionsForSource(video.width, video.height, formats)
              : formats,
          inputKey: video.sourceKey,
          hdr,
          codecs: codecs ?? undefined,
        });
      })
      .catch((error: unknown) => {
        if (isOneActiveJobViolation(error))
          throw new HttpError(409, 'conflict', 'this video already has a job in progress');
        throw error;
      });
    return toJob(job);
  }

  return {
    create(principal: Principal, request: JobCreateRequest): Promise<Job> {
      return enqueue(principal, request.videoId, request.formats, request.hdr, request.codecs);
    },

    async list(principal: Principal, query: JobListQuery) {
      if (query.scope === 'all' && principal.role !== 'admin')
        throw new HttpError(403, 'forbidden', 'only admins may list every job');
      const { items, total } = await jobs.list(
        query.scope === 'all' ? {} : { userId: principal.userId },
        query,
      );
      return {
        items: items.map((job) => toJob(job)),
        page: query.page,
        pageSize: query.pageSize,
        total,
      };
    },

    async get(principal: Principal, id: string): Promise<Job> {
      return present(await managedJob(principal, id));
    },

    async cancel(principal: Principal, id: string): Promise<Job> {
      const job = await managedJob(principal, id);
      const cancelled = await jobs.cancel(job.id);
      if (!cancelled)
        throw new HttpError(409, 'conflict', `a ${job.status} job cannot be cancelled`, {
          status: job.status,
        });
      return present(cancelled);
    },

    /**
     * A retry is a new job with the same formats: job ids name TranscodeJobs, so a fresh
     * id gives the controller a fresh resource instead of a finished one to revive.
     */
    async retry(principal: Principal, id: string): Promise<Job> {
      const job = await managedJob(principal, id);
      if (job.status !== 'failed' && job.status !== 'cancelled') {
        throw new HttpError(
          409,
          'conflict',
          `only failed or cancelled jobs can be retried; this one is ${job.status}`,
          { status: job.status },
        );
      }
      return enqueue(principal, job.videoId, job.formats, job.hdr, job.codecs);
    },
  };
}
export type JobsService = ReturnType<typeof createJobsService>;
