import { randomUUID } from 'node:crypto';
import type {
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadCreateRequest,
  UploadCreateResponse,
  UploadList,
  UploadPartsResponse,
  UploadState,
  UploadSummary,
} from '@videoforge/contracts';
import { renditionsForSource } from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';
import type { CompletedPart, StoragePort } from '@videoforge/platform/storage';
import type { Principal } from '../auth/tokens.ts';
import { canManage } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import { notFoundError } from '../http/validate.ts';
import { toJob, type JobsRepository } from '../jobs/jobs.repository.ts';
import type { Prober } from '../probe/upload-prober.ts';
import { toVideo, type VideosRepository } from '../videos/videos.repository.ts';
import { defaultFormats, partLength, partPlan, pinnedKey, rawKey } from './upload-policy.ts';
import type { UploadRow, UploadsRepository } from './uploads.repository.ts';
import {
  checkActiveJobs,
  countUnfinishedUploads,
  DEFAULT_USER_QUOTAS,
  lockUserQuotas,
  quotaExceeded,
  storedBytes,
  type UserQuotas,
} from './user-quotas.ts';

export interface UploadLimits {
  maxUploadBytes: number;
  singleUploadMaxBytes: number;
  multipartPartBytes: number;
  /** How long an unfinished multipart upload can be resumed before the sweeper removes it (default 24 h). */
  resumableUploadSeconds?: number | undefined;
  /** Per-user limits; DEFAULT_USER_QUOTAS where unset. */
  quotas?: Partial<UserQuotas> | undefined;
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
/** Part URLs live at most this long; a resuming client asks for fresh ones (POST …/parts). */
const PART_URL_TTL_SECONDS = 12 * 3600;
const DEFAULT_RESUMABLE_SECONDS = 24 * 3600;
const PROBE_URL_TTL_SECONDS = 300;

/**
 * Direct uploads: the API hands out presigned URLs, the bytes go straight to storage,
 * and "complete" checks what arrived (HEAD, then ffprobe over a presigned GET) before
 * the video, its job and the job's outbox message are written in one transaction.
 */
export function createUploadsService(deps: UploadsServiceDeps) {
  const { sql, uploads, videos, jobs, storage, probe, limits, metrics, logger } = deps;
  const quotas: UserQuotas = { ...DEFAULT_USER_QUOTAS, ...limits.quotas };
  const resumableSeconds = limits.resumableUploadSeconds ?? DEFAULT_RESUMABLE_SECONDS;

  const multipartOf = (upload: UploadRow) =>
    upload.multipartId ? { key: upload.storageKey, uploadId: upload.multipartId } : undefined;
  const partCountOf = (upload: UploadRow) =>
    upload.partSize ? Math.max(1, Math.ceil(upload.declaredSize / upload.partSize)) : 1;

  function summary(upload: UploadRow): UploadSummary {
    return {
      uploadId: upload.id,
      mode: upload.multipartId ? 'multipart' : 'single',
      key: upload.storageKey,
      filename: upload.originalFilename,
      title: upload.title,
      contentType: upload.contentType,
      size: upload.declaredSize,
      partSize: upload.partSize,
      partCount: partCountOf(upload),
      status: upload.status === 'completing' ? 'completing' : 'pending',
      createdAt: upload.createdAt.toISOString(),
      expiresAt: upload.expiresAt.toISOString(),
    };
  }

  /** Part URLs never outlive the upload they belong to. */
  function partUrlTtl(upload: { expiresAt: Date }): number {
    const left = Math.floor((upload.expiresAt.getTime() - Date.now()) / 1000);
    return Math.max(1, Math.min(PART_URL_TTL_SECONDS, left));
  }

  async function signParts(upload: UploadRow, partNumbers: number[]) {
    const multipart = multipartOf(upload);
    if (!multipart || !upload.partSize) throw new Error('not a multipart upload');
    const { partSize } = upload;
    const expiresInSeconds = partUrlTtl(upload);
    const parts = await Promise.all(
      partNumbers.map(async (partNumber) => {
        const size = partLength(upload.declaredSize, partSize, partNumber);
        return {
          partNumber,
          size,
          url: await storage.presignPart(multipart, partNumber, {
            expiresInSeconds,
            contentLength: size,
          }),
        };
      }),
    );
    return { parts, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
  }

  /** An upload whose state can still change: pending (or completing) and not expired. */
  function requireResumable(upload: UploadRow): void {
    if (upload.status !== 'pending' && upload.status !== 'completing')
      throw new HttpError(409, 'conflict', `this upload is ${upload.status}`, {
        status: upload.status,
      });
    if (upload.expiresAt.getTime() <= Date.now())
      throw new HttpError(410, 'upload_expired', 'this upload has expired; start it again', {
        expiresAt: upload.expiresAt.toISOString(),
      });
  }

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
    if (!upload.multipartId) await storage.delete(pinnedKey(upload.storageKey));
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
      const expiresAt = new Date(
        Date.now() + (multipart ? resumableSeconds : SINGLE_URL_TTL_SECONDS) * 1000,
      );
      if (request.partSize && Math.ceil(request.size / request.partSize) > 10_000)
        throw new HttpError(400, 'validation_failed', 'at most 10 000 parts: choose larger parts', {
          issues: [{ path: ['partSize'], message: 'too small for this size' }],
        });
      const plan = multipart
        ? request.partSize
          ? { partSize: request.partSize, partCount: Math.ceil(request.size / request.partSize) }
          : partPlan(request.size, limits.multipartPartBytes)
        : undefined;
      const row = {
        id,
        userId: principal.userId,
        storageKey: key,
        multipartId: null as string | null,
        originalFilename: request.filename,
        contentType: request.contentType,
        declaredSize: request.size,
        partSize: plan?.partSize ?? null,
        title: request.title ?? request.filename.replace(/\.[A-Za-z0-9]{1,5}$/, '').slice(0, 200),
        description: request.description ?? '',
        visibility: request.visibility ?? 'public',
        expiresAt,
      };
      const inserted = await sql.begin(async (tx) => {
        await lockUserQuotas(tx, principal.userId);
        const unfinished = await countUnfinishedUploads(tx, principal.userId);
        if (unfinished >= quotas.concurrentUploads)
          throw quotaExceeded(
            'concurrentUploads',
            quotas.concurrentUploads,
            unfinished,
            `you have ${unfinished} unfinished uploads (the limit is ${quotas.concurrentUploads}); finish or cancel one first`,
          );
        const stored = await storedBytes(tx, principal.userId);
        if (stored + request.size > quotas.storedBytes)
          throw quotaExceeded(
            'storedBytes',
            quotas.storedBytes,
            stored,
            `this upload would bring your stored videos to ${stored + request.size} bytes; the limit is ${quotas.storedBytes}`,
          );
        const upload = multipart
          ? await storage.createMultipart(key, { contentType: request.contentType })
          : undefined;
        const full = { ...row, multipartId: upload?.uploadId ?? null };
        await uploads.insert(full, tx);
        return full;
      });
      metrics.uploads.inc({ outcome: 'created' });
      if (!plan) {
        const url = await storage.presignPut(key, {
          expiresInSeconds: SINGLE_URL_TTL_SECONDS,
          contentType: request.contentType,
          contentLength: request.size,
        });
        return { mode: 'single', uploadId: id, key, url, expiresAt: expiresAt.toISOString() };
      }
      const { parts } = await signParts(
        { ...inserted, status: 'pending', createdAt: new Date() },
        Array.from({ length: plan.partCount }, (_, index) => index + 1),
      );
      return {
        mode: 'multipart',
        uploadId: id,
        key,
        partSize: plan.partSize,
        parts: parts.map(({ partNumber, url }) => ({ partNumber, url })),
        expiresAt: expiresAt.toISOString(),
      };
    },

    /** The caller's uploads that can still be finished. */
    async list(principal: Principal): Promise<UploadList> {
      return { items: (await uploads.listUnfinished(principal.userId)).map(summary) };
    },

    /** An upload's state as storage has it: which parts are stored, with their ETags. */
    async state(principal: Principal, id: string): Promise<UploadState> {
      const upload = await owned(principal, id);
      requireResumable(upload);
      const multipart = multipartOf(upload);
      if (multipart) {
        const parts = (await storage.listParts(multipart)) ?? [];
        return {
          ...summary(upload),
          parts,
          storedBytes: parts.reduce((sum, part) => sum + part.size, 0),
        };
      }
      const head = await storage.head(upload.storageKey);
      return { ...summary(upload), parts: [], storedBytes: head?.size ?? 0 };
    },

    /** Fresh part URLs, so an upload can go on after its first URLs expired. */
    async signParts(
      principal: Principal,
      id: string,
      partNumbers: number[],
    ): Promise<UploadPartsResponse> {
      const upload = await owned(principal, id);
      requireResumable(upload);
      if (upload.status !== 'pending')
        throw new HttpError(409, 'conflict', 'this upload is being completed');
      if (!upload.multipartId)
        throw new HttpError(409, 'conflict', 'a single-PUT upload has no parts; start it again');
      const partCount = partCountOf(upload);
      const outside = partNumbers.filter((n) => n > partCount);
      if (outside.length > 0)
        throw new HttpError(400, 'validation_failed', `this upload has ${partCount} parts`, {
          partCount,
          outside,
        });
      const signed = await signParts(upload, partNumbers);
      return { parts: signed.parts, expiresAt: signed.expiresAt.toISOString() };
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
      const backToPending = async (
        code: string,
        message: string,
        details: Record<string, unknown> = {},
      ): Promise<never> => {
        await uploads.transition(upload.id, 'completing', 'pending');
        throw new HttpError(400, code, message, details);
      };
      const multipart = multipartOf(upload);
      if (multipart) {
        // Storage is the source of truth: the parts it holds, checked against the plan
        // (every part present, each of its exact length) and against the client's ETags.
        const stored = (await storage.listParts(multipart)) ?? [];
        const partSize = upload.partSize ?? upload.declaredSize;
        const byNumber = new Map(stored.map((part) => [part.partNumber, part]));
        const partCount = partCountOf(upload);
        const missing: number[] = [];
        const parts: CompletedPart[] = [];
        for (let n = 1; n <= partCount; n++) {
          const part = byNumber.get(n);
          if (!part || part.size !== partLength(upload.declaredSize, partSize, n)) missing.push(n);
          else parts.push({ partNumber: n, etag: part.etag });
        }
        if (missing.length > 0)
          return backToPending(
            'upload_incomplete',
            `${missing.length} of ${partCount} parts are not stored yet`,
            { missingParts: missing.slice(0, 100) },
          );
        const given = new Map((request.parts ?? []).map((p) => [p.partNumber, p.etag]));
        const disagreeing = parts.filter(
          (p) => given.has(p.partNumber) && given.get(p.partNumber) !== p.etag,
        );
        if (disagreeing.length > 0)
          return backToPending(
            'upload_incomplete',
            'storage holds other bytes than the ETags sent for some parts; upload them again',
            { parts: disagreeing.map((p) => p.partNumber).slice(0, 100) },
          );
        try {
          await storage.completeMultipart(multipart, parts);
        } catch (error) {
          logger.info({ err: error, uploadId: upload.id }, 'completing multipart upload failed');
          return backToPending(
            'upload_incomplete',
            'storage refused to assemble the parts; check the part numbers and ETags',
          );
        }
      } else {
        if (!(await storage.head(upload.storageKey)))
          return backToPending('upload_incomplete', 'nothing was uploaded for this upload yet');
        // What is probed and transcoded is a copy no URL was issued for.
        await storage.copy(upload.storageKey, pinnedKey(upload.storageKey));
      }
      const sourceKey = multipart ? upload.storageKey : pinnedKey(upload.storageKey);
      const head = await storage.head(sourceKey);
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
      if (head.size !== upload.declaredSize)
        return reject(
          upload,
          422,
          'size_mismatch',
          `storage holds ${head.size} bytes; the upload was declared as ${upload.declaredSize}`,
          { size: head.size, declaredSize: upload.declaredSize },
        );
      const outcome = await probe(
        await storage.presignGet(sourceKey, { expiresInSeconds: PROBE_URL_TTL_SECONDS }),
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
      if (metadata.durationSeconds > quotas.sourceDurationSeconds)
        return reject(
          upload,
          403,
          'quota_exceeded',
          `the video is ${Math.round(metadata.durationSeconds)} s long; the limit is ${quotas.sourceDurationSeconds} s`,
          {
            quota: 'sourceDurationSeconds',
            limit: quotas.sourceDurationSeconds,
            used: metadata.durationSeconds,
          },
        );
      // A source below the lowest rendition gets its own-size rendition whatever was picked.
      const formats = request.formats
        ? renditionsForSource(
            metadata.video.displayWidth,
            metadata.video.displayHeight,
            request.formats,
          )
        : defaultFormats(metadata.video.displayWidth, metadata.video.displayHeight);

      const written = sql.begin(async (tx) => {
        await lockUserQuotas(tx, upload.userId);
        await checkActiveJobs(tx, upload.userId, quotas);
        const videoId = await videos.insert(tx, {
          userId: upload.userId,
          title: upload.title,
          description: upload.description,
          visibility: upload.visibility,
          originalFilename: upload.originalFilename,
          sourceKey,
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
          inputKey: sourceKey,
          hdr: request.hdr,
          codecs: request.codecs,
        });
        await uploads.markCompleted(tx, upload.id, videoId);
        return { videoId, job };
      });
      // Over the active-jobs quota: keep the bytes, so completing later works.
      const { videoId, job } = await written.catch(async (error: unknown) => {
        await uploads.transition(upload.id, 'completing', 'pending');
        throw error;
      });
      if (!multipart) await storage.delete(upload.storageKey);
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
