import { randomUUID } from 'node:crypto';
import type {
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadCreateRequest,
  UploadCreateResponse,
} from '@videoforge/contracts';
import { renditionsForSource } from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';
import type { StoragePort } from '@videoforge/platform/storage';
import type { Principal } from '../auth/tokens.ts';
import { canManage } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import { notFoundError } from '../http/validate.ts';
import { toJob, type JobsRepository } from '../jobs/jobs.repository.ts';
import type { Prober } from '../probe/upload-prober.ts';
import { toVideo, type VideosRepository } from '../videos/videos.repository.ts';
import { defaultFormats, partPlan, rawKey } from './upload-policy.ts';
import type { UploadRow, UploadsRepository } from './uploads.repository.ts';

export interface UploadLimits {
  maxUploadBytes: number;
  singleUploadMaxBytes: number;
  multipartPartBytes: number;
}

export interface UploadsServiceDeps {
  sql: Sql;
  uploads: UploadsRepository;
  videos: VideosRepository;
  jobs: JobsRepository;
  storage: StoragePort;
  probe: Prober;
  limits: UploadLimits;
  metrics: ApiMetrics;
  logger: Logger;
}

const SINGLE_URL_TTL_SECONDS = 3600;
const MULTIPART_URL_TTL_SECONDS = 12 * 3600;
const PROBE_URL_TTL_SECONDS = 300;

/**
 * Direct uploads: the API hands out presigned URLs, the bytes go straight to storage,
 * and "complete" checks what arrived (HEAD, then ffprobe over a presigned GET) before
 * the video, its job and the job's outbox message are written in one transaction.
 */
export function createUploadsService(deps: UploadsServiceDeps) {
  const { sql, uploads, videos, jobs, storage, probe, limits, metrics, logger } = deps;

  async function owned(principal: Principal, id: string): Promise<UploadRow> {
    const upload = await uploads.find(id);
    if (!upload || !canManage(principal, upload.userId)) throw notFoundError('upload');
    return upload;
  }

  /** Removes whatever an upload left in storage; idempotent. */
  async function discard(upload: UploadRow): Promise<void> {
    if (upload.multipartId) {
      await storage
        .abortMultipart({ key: upload.storageKey, uploadId: upload.multipartId })
        .catch((error: unknown) => {
          logger.debug(
            { err: error, uploadId: upload.id },
            'abort multipart failed (already completed or gone)',
          );
        });
    }
    await storage.delete(upload.storageKey);
  }

  async function reject(
    upload: UploadRow,
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ): Promise<never> {
    await discard(upload);
    await uploads.transition(upload.id, 'completing', 'rejected');
    metrics.uploads.inc({ outcome: 'rejected' });
    logger.info(
      { uploadId: upload.id, code, ...details },
      'upload refused and removed from storage',
    );
    throw new HttpError(status, code, message, details);
  }

  return {
    async create(
      principal: Principal,
      request: UploadCreateRequest,
    ): Promise<UploadCreateResponse> {
      if (request.size > limits.maxUploadBytes) {
        throw new HttpError(
          413,
          'upload_too_large',
          `uploads are limited to ${limits.maxUploadBytes} bytes`,
          { maxBytes: limits.maxUploadBytes },
        );
      }
      const id = randomUUID();
      const key = rawKey(principal.userId, id, request.filename);
      const multipart = request.multipart === true || request.size > limits.singleUploadMaxBytes;
      const ttl = multipart ? MULTIPART_URL_TTL_SECONDS : SINGLE_URL_TTL_SECONDS;
      const expiresAt = new Date(Date.now() + ttl * 1000);
      const row = {
        id,
        userId: principal.userId,
        storageKey: key,
        multipartId: null as string | null,
        originalFilename: request.filename,
        contentType: request.contentType,
        declaredSize: request.size,
        title: request.title ?? request.filename.replace(/\.[A-Za-z0-9]{1,5}$/, '').slice(0, 200),
        description: request.description ?? '',
        visibility: request.visibility ?? 'public',
        expiresAt,
      };
      metrics.uploads.inc({ outcome: 'created' });
      if (!multipart) {
        await uploads.insert(row);
        const url = await storage.presignPut(key, {
          expiresInSeconds: ttl,
          contentType: request.contentType,
        });
        return { mode: 'single', uploadId: id, key, url, expiresAt: expiresAt.toISOString() };
      }
      const { partSize, partCount } = partPlan(request.size, limits.multipartPartBytes);
      const upload = await storage.createMultipart(key, { contentType: request.contentType });
      await uploads.insert({ ...row, multipartId: upload.uploadId });
      const parts = await Promise.all(
        Array.from({ length: partCount }, async (_, index) => ({
          partNumber: index + 1,
          url: await storage.presignPart(upload, index + 1, { expiresInSeconds: ttl }),
        })),
      );
      return {
        mode: 'multipart',
        uploadId: id,
        key,
        partSize,
        parts,
        expiresAt: expiresAt.toISOString(),
      };
    },

    async complete(
      principal: Principal,
      id: string,
      request: UploadCompleteRequest,
    ): Promise<UploadCompleteResponse> {
      const upload = await owned(principal, id);
      if (
        upload.status !== 'pending' ||
        !(await uploads.transition(upload.id, 'pending', 'completing'))
      ) {
        throw new HttpError(409, 'conflict', `this upload is ${upload.status}`, {
          status: upload.status,
        });
      }
      // Until the probe says otherwise, a failure is the client's to fix and retry.
      const backToPending = async (code: string, message: string): Promise<never> => {
        await uploads.transition(upload.id, 'completing', 'pending');
        throw new HttpError(400, code, message);
      };
      if (upload.multipartId) {
        if (!request.parts || request.parts.length === 0)
          return backToPending(
            'validation_failed',
            'a multipart upload needs its parts (partNumber and etag)',
          );
        const parts = [...request.parts].sort((a, b) => a.partNumber - b.partNumber);
        try {
          await storage.completeMultipart(
            { key: upload.storageKey, uploadId: upload.multipartId },
            parts,
          );
        } catch (error) {
          logger.info({ err: error, uploadId: upload.id }, 'completing multipart upload failed');
          return backToPending(
            'upload_incomplete',
            'storage refused to assemble the parts; check the part numbers and ETags',
          );
        }
      }
      const head = await storage.head(upload.storageKey);
      if (!head)
        return backToPending('upload_incomplete', 'nothing was uploaded for this upload yet');
      if (head.size > limits.maxUploadBytes) {
        return reject(
          upload,
          413,
          'upload_too_large',
          `uploads are limited to ${limits.maxUploadBytes} bytes`,
          { size: head.size },
        );
      }
      const outcome = await probe(
        await storage.presignGet(upload.storageKey, { expiresInSeconds: PROBE_URL_TTL_SECONDS }),
      );
      // Not the file's fault: keep it, and let the client complete again.
      if (!outcome.ok && outcome.retryable) {
        await uploads.transition(upload.id, 'completing', 'pending');
        throw new HttpError(
          503,
          'probe_unavailable',
          `the upload could not be checked just now (${outcome.message}); complete it again in a moment`,
        );
      }
      if (!outcome.ok)
        return reject(
          upload,
          422,
          'not_a_video',
          `the upload is not a usable video: ${outcome.message}`,
          { reason: outcome.code },
        );
      const { metadata } = outcome;
      // A source below the lowest rung gets its own-size rendition whatever was picked.
      const formats = request.formats
        ? renditionsForSource(
            metadata.video.displayWidth,
            metadata.video.displayHeight,
            request.formats,
          )
        : defaultFormats(metadata.video.displayWidth, metadata.video.displayHeight);

      const { videoId, job } = await sql.begin(async (tx) => {
        const videoId = await videos.insert(tx, {
          userId: upload.userId,
          title: upload.title,
          description: upload.description,
          visibility: upload.visibility,
          originalFilename: upload.originalFilename,
          sourceKey: upload.storageKey,
          durationSeconds: metadata.durationSeconds,
          width: metadata.video.displayWidth,
          height: metadata.video.displayHeight,
          frameRate: metadata.video.frameRate.num / metadata.video.frameRate.den,
          videoCodec: metadata.video.codec,
          audioCodec: metadata.audio?.codec ?? null,
          bitRate: metadata.bitRateKbps ? metadata.bitRateKbps * 1000 : null,
          fileSize: head.size,
        });
        const job = await jobs.insertWithOutbox(tx, {
          userId: upload.userId,
          videoId,
          formats,
          inputKey: upload.storageKey,
          hdr: request.hdr,
        });
        await uploads.markCompleted(tx, upload.id, videoId);
        return { videoId, job };
      });
      metrics.uploads.inc({ outcome: 'completed' });
      const video = await videos.findById(videoId);
      if (!video) throw new Error('video vanished after commit');
      return { video: toVideo(video), job: toJob(job) };
    },

    async abort(principal: Principal, id: string): Promise<void> {
      const upload = await owned(principal, id);
      if (upload.status === 'aborted' || upload.status === 'rejected') return;
      if (
        upload.status !== 'pending' ||
        !(await uploads.transition(upload.id, 'pending', 'aborted'))
      ) {
        throw new HttpError(409, 'conflict', `this upload is ${upload.status}`, {
          status: upload.status,
        });
      }
      await discard(upload);
      metrics.uploads.inc({ outcome: 'aborted' });
    },
  };
}
export type UploadsService = ReturnType<typeof createUploadsService>;
