import AwsS3 from '@uppy/aws-s3';
import Uppy, { type UppyFile } from '@uppy/core';
import GoldenRetriever from '@uppy/golden-retriever';
import {
  UploadCompleteResponse,
  UploadCreateResponse,
  UploadList,
  UploadPartsResponse,
  UploadState,
  type Format,
  type Job,
  type UploadCompleteRequest,
  type Video,
  type Visibility,
} from '@videoforge/contracts';
import { ApiError, type ApiClient } from '../lib/api-client.ts';

/** What each file in the queue carries besides its bytes. */
export interface VideoMeta {
  [key: string]: unknown;
  title: string;
  visibility: Visibility;
  description?: string;
  /** Renditions to make; absent: the API's default ladder for the source it probes. */
  formats?: Format[];
  /** Also an HDR set beside the SDR ladder, when the source is HDR. */
  hdr?: boolean;
}
/** What a finished upload gives back (Uppy's response body). */
export interface VideoBody {
  [key: string]: unknown;
  location: string;
  video: Video;
  job: Job;
}
export type VideoUppy = Uppy<VideoMeta, VideoBody>;
export type VideoFile = UppyFile<VideoMeta, VideoBody>;

const MiB = 1024 * 1024;
/** Sends to retry a failed request after: backoff up to half a minute (Uppy's `retryDelays`). */
export const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000, 30_000];

/** The API's part plan (api/src/uploads/upload-policy.ts): at least 16 MiB, at most 10 000 parts. */
export function partSizeFor(size: number): number {
  return Math.max(16 * MiB, Math.ceil(size / 10_000), 5 * MiB);
}

export function titleFrom(filename: string): string {
  return filename.replace(/\.[A-Za-z0-9]{1,5}$/, '').slice(0, 200) || 'video';
}

/** Storage's parts (from the server, never from the browser) in Uppy's shape. */
export function toUppyParts(
  state: UploadState,
): { PartNumber: number; Size: number; ETag: string }[] {
  return state.parts.map((part) => ({
    PartNumber: part.partNumber,
    Size: part.size,
    ETag: part.etag,
  }));
}

/** A refusal as a person reads it: the server's message, or its first validation issue. */
export function refusalMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const issues = error.details.issues;
    if (error.code === 'validation_failed' && Array.isArray(issues) && issues.length > 0) {
      const first = issues[0] as { path?: unknown; message?: string };
      const path = Array.isArray(first.path)
        ? first.path.join('.')
        : typeof first.path === 'string'
          ? first.path
          : 'request';
      const where = path.replace(/^body\./, '');
      return `${where}: ${first.message ?? error.message}`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * What the server is told the file is: its own video/* type; an unknown one (neither the
 * browser nor Uppy recognised the extension) as video/mp4, since the server probes the
 * bytes anyway; any other as it is, so the server refuses it (a text file is no video).
 */
export function uploadContentType(type: string | undefined): string {
  return !type || type === 'application/octet-stream' ? 'video/mp4' : type;
}

/** The complete request for a file: its parts, and the formats and HDR its meta asks for. */
export function completeRequestFor(
  meta: Pick<VideoMeta, 'formats' | 'hdr'>,
  parts: { PartNumber?: number; ETag?: string }[],
): UploadCompleteRequest {
  return {
    parts: parts
      .flatMap((p) => (p.PartNumber && p.ETag ? [{ partNumber: p.PartNumber, etag: p.ETag }] : []))
      .sort((a, b) => a.partNumber - b.partNumber),
    ...(meta.formats && meta.formats.length > 0 ? { formats: meta.formats } : {}),
    ...(meta.hdr ? { hdr: true } : {}),
  };
}

/** Delays between attempts at completing while the server cannot probe the file just now. */
export const PROBE_RETRY_DELAYS_MS = [500, 1000, 2000];

/**
 * Completes, asking again while the server answers probe_unavailable (it could not read
 * the stored file just now, and kept it); any other refusal is final.
 */
export async function completeWithRetry<T>(
  complete: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await complete();
    } catch (error) {
      const delay = PROBE_RETRY_DELAYS_MS[attempt];
      if (!(error instanceof ApiError && error.code === 'probe_unavailable') || delay === undefined)
        throw error;
      await sleep(delay);
    }
  }
}

/** Uppy reports a thrown error with its message only; keep the API's text in it. */
function readable(error: unknown): Error {
  if (error instanceof ApiError) {
    const wrapped = new Error(refusalMessage(error));
    (wrapped as Error & { isRefusal?: boolean }).isRefusal = !(
      error.status >= 500 || error.status === 429
    );
    return wrapped;
  }
  return error instanceof Error ? error : new Error(String(error));
}

export interface VideoUppyOptions {
  /** Files uploading at once (their parts go one after another per file). */
  concurrency: number;
  /** Restores the queue after a reload or a crash (Golden Retriever); off in unit tests. */
  persist?: boolean;
  /** Waits between attempts at completing (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** Called with each part PUT, for tests that count what was sent. */
  onPartSent?: (partNumber: number) => void;
}

/**
 * Uppy wired to our API: @uppy/aws-s3 in multipart mode whose create / sign / list /
 * complete / abort calls are the API's upload routes, so the browser never talks to S3's
 * control plane, and the local storage adapter works the same. Resuming asks the server
 * which parts storage holds (GET /api/uploads/:id).
 */
export function createVideoUppy(api: ApiClient, options: VideoUppyOptions): VideoUppy {
  const uppy = new Uppy<VideoMeta, VideoBody>({
    id: 'videoforge-uploads',
    autoProceed: false,
    allowMultipleUploadBatches: true,
  });
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw readable(error);
    }
  };
  uppy.use(AwsS3<VideoMeta, VideoBody>, {
    shouldUseMultipart: true,
    limit: options.concurrency,
    retryDelays: RETRY_DELAYS_MS,
    getChunkSize: (file) => partSizeFor(file.size),
    createMultipartUpload: (file) =>
      call(async () => {
        const size = file.size ?? 0;
        const created = await api.request('POST', '/api/uploads', {
          auth: 'required',
          schema: UploadCreateResponse,
          body: {
            filename: file.name ?? 'video',
            size,
            contentType: uploadContentType(file.type),
            multipart: true,
            partSize: partSizeFor(size),
            title: file.meta.title.trim() || titleFrom(file.name ?? 'video'),
            visibility: file.meta.visibility,
            ...(file.meta.description?.trim() ? { description: file.meta.description.trim() } : {}),
          },
        });
        return { uploadId: created.uploadId, key: created.key };
      }),
    listParts: (_file, { uploadId, signal }) =>
      call(async () =>
        toUppyParts(
          await api.request('GET', `/api/uploads/${encodeURIComponent(uploadId ?? '')}`, {
            auth: 'required',
            schema: UploadState,
            ...(signal ? { signal } : {}),
          }),
        ),
      ),
    signPart: (_file, { uploadId, partNumber, signal }) =>
      call(async () => {
        const { parts } = await api.request(
          'POST',
          `/api/uploads/${encodeURIComponent(uploadId ?? '')}/parts`,
          {
            auth: 'required',
            schema: UploadPartsResponse,
            body: { partNumbers: [partNumber] },
            ...(signal ? { signal } : {}),
          },
        );
        options.onPartSent?.(partNumber);
        return { method: 'PUT' as const, url: parts[0]?.url ?? '' };
      }),
    completeMultipartUpload: (file, { uploadId, parts, signal }) =>
      call(async () => {
        const done = await completeWithRetry(
          () =>
            api.request('POST', `/api/uploads/${encodeURIComponent(uploadId ?? '')}/complete`, {
              auth: 'required',
              schema: UploadCompleteResponse,
              body: completeRequestFor(file.meta, parts),
              ...(signal ? { signal } : {}),
            }),
          options.sleep,
        );
        return { location: `/videos/${done.video.id}`, video: done.video, job: done.job };
      }),
    abortMultipartUpload: (_file, { uploadId }) =>
      call(async () => {
        await api.request('DELETE', `/api/uploads/${encodeURIComponent(uploadId ?? '')}`, {
          auth: 'required',
        });
      }),
  });
  if (options.persist) uppy.use(GoldenRetriever, { serviceWorker: false });
  return uppy;
}

/** The caller's unfinished uploads, as the server has them: what the page offers to resume. */
export async function unfinishedUploads(api: ApiClient): Promise<UploadList['items']> {
  return (await api.request('GET', '/api/uploads', { auth: 'required', schema: UploadList })).items;
}

/**
 * Re-adding a file the server still holds an upload for: point Uppy at that upload, so
 * it lists the stored parts (from the server) and sends only the others.
 */
export function attachServerUpload(
  uppy: VideoUppy,
  fileId: string,
  upload: { uploadId: string; key: string },
): void {
  const file = uppy.getFile(fileId);
  if (!file || (file as { s3Multipart?: unknown }).s3Multipart) return;
  uppy.setFileState(fileId, {
    s3Multipart: { uploadId: upload.uploadId, key: upload.key },
  } as Partial<VideoFile>);
}
