import type {
  Format,
  UploadCompleteRequest,
  UploadCompleteResponse,
  UploadCreateRequest,
  UploadCreateResponse,
  Visibility,
} from '@videoforge/contracts';
import type { UploadEvent } from './upload-machine.ts';

export interface PutPartOptions {
  contentType?: string | undefined;
  onProgress: (loaded: number) => void;
  signal: AbortSignal;
}

/** What the uploader needs from the outside world; the browser's versions are in upload-io.ts. */
export interface UploadDeps {
  createUpload: (request: UploadCreateRequest) => Promise<UploadCreateResponse>;
  completeUpload: (
    uploadId: string,
    request: UploadCompleteRequest,
  ) => Promise<UploadCompleteResponse>;
  abortUpload: (uploadId: string) => Promise<void>;
  /** PUTs one slice to a presigned URL; resolves with the response's ETag (if any). */
  putPart: (url: string, body: Blob, options: PutPartOptions) => Promise<string | undefined>;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  now: () => number;
}

export interface UploadRequest {
  file: Blob & { name: string };
  title?: string | undefined;
  description?: string | undefined;
  visibility?: Visibility | undefined;
  /** Omitted: the API's default ladder for the probed source. */
  formats?: Format[] | undefined;
}

export interface UploadTuning {
  /** Parts in flight at once. */
  concurrency: number;
  /** Attempts per part before the upload fails. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt. */
  retryDelayMs: number;
}

export const DEFAULT_TUNING: UploadTuning = { concurrency: 4, maxAttempts: 4, retryDelayMs: 500 };

export class UploadStageError extends Error {
  readonly stage: 'create' | 'upload' | 'complete';
  readonly code: string | undefined;
  constructor(stage: 'create' | 'upload' | 'complete', message: string, code?: string) {
    super(message);
    this.stage = stage;
    this.code = code;
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error
    ? error.message
    : typeof error === 'string'
      ? error
      : 'unknown error';
}

/**
 * Uploads one file straight to storage: creates the upload (always multipart, so large
 * and small files take one path), PUTs the parts `concurrency` at a time with per-part
 * retries and exponential backoff, then completes it. Every step is reported through
 * `dispatch` as upload-machine events. Aborting `signal` stops the parts and deletes
 * the upload on the server; the caller dispatches `cancel` itself (at once, for the UI).
 */
export async function runUpload(
  request: UploadRequest,
  deps: UploadDeps,
  dispatch: (event: UploadEvent) => void,
  signal: AbortSignal,
  tuning: UploadTuning = DEFAULT_TUNING,
): Promise<void> {
  const { file } = request;
  let uploadId: string | undefined;
  dispatch({ type: 'start', at: deps.now() });
  try {
    let created: UploadCreateResponse;
    try {
      created = await deps.createUpload({
        filename: file.name,
        size: file.size,
        contentType: /^video\/[A-Za-z0-9.+-]+$/.test(file.type) ? file.type : 'video/mp4',
        multipart: true,
        ...(request.title ? { title: request.title } : {}),
        ...(request.description ? { description: request.description } : {}),
        ...(request.visibility ? { visibility: request.visibility } : {}),
      });
    } catch (error) {
      throw new UploadStageError('create', messageOf(error), codeOf(error));
    }
    uploadId = created.uploadId;
    signal.throwIfAborted();

    const contentType = created.mode === 'single' ? file.type || 'video/mp4' : undefined;
    const slices =
      created.mode === 'single'
        ? [{ partNumber: 1, url: created.url, start: 0, end: file.size }]
        : created.parts.map((part) => ({
            partNumber: part.partNumber,
            url: part.url,
            start: (part.partNumber - 1) * created.partSize,
            end: Math.min(part.partNumber * created.partSize, file.size),
          }));
    dispatch({
      type: 'created',
      uploadId,
      partSizes: slices.map((slice) => slice.end - slice.start),
    });

    const etags = new Map<number, string>();
    const queue = [...slices];
    const uploadSlice = async (slice: (typeof slices)[number]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const etag = await deps.putPart(slice.url, file.slice(slice.start, slice.end), {
            contentType,
            signal,
            onProgress: (loaded) =>
              dispatch({ type: 'progress', partNumber: slice.partNumber, loaded, at: deps.now() }),
          });
          if (created.mode === 'multipart') {
            if (!etag)
              throw new UploadStageError(
                'upload',
                'storage did not expose the ETag header (check the bucket CORS ExposeHeaders)',
              );
            etags.set(slice.partNumber, etag);
          }
          dispatch({ type: 'part-done', partNumber: slice.partNumber, at: deps.now() });
          return;
        } catch (error) {
          signal.throwIfAborted();
          if (attempt >= tuning.maxAttempts)
            throw new UploadStageError(
              'upload',
              `part ${slice.partNumber} failed after ${attempt} attempts: ${messageOf(error)}`,
            );
          dispatch({ type: 'part-retry', partNumber: slice.partNumber, attempt });
          await deps.sleep(tuning.retryDelayMs * 2 ** (attempt - 1), signal);
        }
      }
    };
    const worker = async () => {
      for (let slice = queue.shift(); slice; slice = queue.shift()) await uploadSlice(slice);
    };
    const workers = Array.from({ length: Math.min(tuning.concurrency, slices.length) }, worker);
    // The first failure fails the upload; the others stop at their next part.
    const failure = await Promise.all(workers).then(
      () => undefined,
      (error: unknown) => {
        queue.length = 0;
        return error;
      },
    );
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error(messageOf(failure));
    signal.throwIfAborted();

    dispatch({ type: 'parts-done' });
    const completeRequest = {
      ...(created.mode === 'multipart'
        ? {
            parts: [...etags]
              .map(([partNumber, etag]) => ({ partNumber, etag }))
              .sort((a, b) => a.partNumber - b.partNumber),
          }
        : {}),
      ...(request.formats && request.formats.length > 0 ? { formats: request.formats } : {}),
    };
    let completed: UploadCompleteResponse | undefined;
    for (let attempt = 1; !completed; attempt++) {
      try {
        completed = await deps.completeUpload(uploadId, completeRequest);
      } catch (error) {
        // The server could not read the file just now; it kept it, so ask again.
        if (codeOf(error) === 'probe_unavailable') {
          if (attempt < tuning.maxAttempts) {
            await deps.sleep(tuning.retryDelayMs * 2 ** (attempt - 1), signal);
            continue;
          }
          throw new UploadStageError('complete', messageOf(error), codeOf(error));
        }
        // A refused file (not_a_video) is already gone from storage; nothing to abort.
        uploadId = undefined;
        throw new UploadStageError('complete', messageOf(error), codeOf(error));
      }
    }
    dispatch({ type: 'completed', video: completed.video, job: completed.job });
  } catch (error) {
    if (uploadId) {
      // Cancelled or failed part-way: remove what reached storage (best effort; the
      // API's sweeper removes it anyway once the URLs expire).
      await deps.abortUpload(uploadId).catch(() => undefined);
    }
    if (signal.aborted) return;
    const stageError =
      error instanceof UploadStageError
        ? error
        : new UploadStageError('upload', messageOf(error), codeOf(error));
    dispatch({
      type: 'failed',
      stage: stageError.stage,
      message: stageError.message,
      code: stageError.code,
    });
  }
}
