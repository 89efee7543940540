import type { Readable } from 'node:stream';

/** Object metadata as both adapters report it. */
export interface ObjectInfo {
  key: string;
  size: number;
  contentType?: string;
  etag?: string;
  lastModified?: Date;
}

export interface PutOptions {
  contentType?: string;
  cacheControl?: string;
}

/** An inclusive byte range, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ListResult {
  objects: ObjectInfo[];
  /** Present when more objects follow; pass back as `cursor`. */
  nextCursor?: string;
}

export interface MultipartUpload {
  key: string;
  uploadId: string;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** A part storage holds for an unfinished multipart upload (S3 ListParts). */
export interface StoredPart extends CompletedPart {
  size: number;
}

/**
 * The object-storage port. Keys are validated by every adapter (see storage-key.ts):
 * no `..` segments, no absolute paths, no control characters.
 */
export interface StoragePort {
  readonly kind: 'local' | 's3';
  put(
    key: string,
    body: Buffer | Uint8Array | string | Readable,
    options?: PutOptions,
  ): Promise<void>;
  /** Streams the object (or a range of it). Throws ObjectNotFoundError when absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Returns undefined when the object does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object under a prefix; returns how many were removed. */
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string, options?: { cursor?: string; limit?: number }): Promise<ListResult>;
  presignGet(
    key: string,
    options: { expiresInSeconds: number; downloadName?: string },
  ): Promise<string>;
  /**
   * A URL for one PUT of the whole object. With `contentLength` the length is part of
   * the signature, so storage refuses a body of any other size.
   */
  presignPut(
    key: string,
    options: { expiresInSeconds: number; contentType?: string; contentLength?: number },
  ): Promise<string>;
  createMultipart(key: string, options?: PutOptions): Promise<MultipartUpload>;
  /** Like presignPut: with `contentLength`, only a part of exactly that size is accepted. */
  presignPart(
    upload: MultipartUpload,
    partNumber: number,
    options: { expiresInSeconds: number; contentLength?: number },
  ): Promise<string>;
  /**
   * The parts storage holds for an unfinished multipart upload, by part number; the
   * source of truth for resuming. Undefined when the upload is gone (completed or aborted).
   */
  listParts(upload: MultipartUpload): Promise<StoredPart[] | undefined>;
  completeMultipart(upload: MultipartUpload, parts: CompletedPart[]): Promise<void>;
  abortMultipart(upload: MultipartUpload): Promise<void>;
  /** Copies an object within the store (server-side where the store can). */
  copy(fromKey: string, toKey: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
    this.key = key;
  }
}
