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
  presignPut(
    key: string,
    options: { expiresInSeconds: number; contentType?: string },
  ): Promise<string>;
  createMultipart(key: string, options?: PutOptions): Promise<MultipartUpload>;
  presignPart(
    upload: MultipartUpload,
    partNumber: number,
    options: { expiresInSeconds: number },
  ): Promise<string>;
  completeMultipart(upload: MultipartUpload, parts: CompletedPart[]): Promise<void>;
  abortMultipart(upload: MultipartUpload): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
    this.key = key;
  }
}
