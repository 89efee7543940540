import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import contentDisposition from 'content-disposition';
import { validateStorageKey } from './storage-key.ts';
import {
  ObjectNotFoundError,
  type ByteRange,
  type CompletedPart,
  type ListResult,
  type MultipartUpload,
  type ObjectInfo,
  type PutOptions,
  type StoragePort,
  type StoredPart,
} from './storage.port.ts';

// A presigned URL signs only the host unless told otherwise; naming content-length
// here makes S3 refuse a body of any other size (issue 15: sizes enforced where the
// bytes land, not only when the API is asked nicely).
const SIGNED_LENGTH = { signableHeaders: new Set(['content-length']) };

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible servers; leave unset for AWS. */
  endpoint?: string;
  /** Path-style addressing (bucket in the path) for servers without virtual-host DNS. */
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig['credentials'];
}

// Streams bigger than this go up as a multipart upload (@aws-sdk/lib-storage) in
// parallel parts, so a multi-GB rendition never has to fit in memory.
const PART_SIZE = 16 * 1024 * 1024;

export function createS3Storage(options: S3StorageOptions): StoragePort & { client: S3Client } {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  // Presigned URLs come from a client that adds no flexible checksum: the SDK would
  // otherwise sign a CRC32 of the empty body it sees (x-amz-checksum-crc32=AAAAAA==),
  // and S3 refuses every real body sent to such a URL.
  const presigner = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await client.send(
        new HeadObjectCommand({ Bucket, Key: validateStorageKey(key) }),
      );
      return {
        key,
        size: out.ContentLength ?? 0,
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        ...(out.ETag ? { etag: out.ETag } : {}),
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function list(
    prefix: string,
    opts: { cursor?: string; limit?: number } = {},
  ): Promise<ListResult> {
    validateStorageKey(prefix, { allowPrefix: true });
    const out = await client.send(
      new ListObjectsV2Command({
        Bucket,
        Prefix: prefix,
        MaxKeys: opts.limit ?? 1000,
        ...(opts.cursor ? { ContinuationToken: opts.cursor } : {}),
      }),
    );
    const objects = (out.Contents ?? []).flatMap((o): ObjectInfo[] =>
      o.Key
        ? [
            {
              key: o.Key,
              size: o.Size ?? 0,
              ...(o.ETag ? { etag: o.ETag } : {}),
              ...(o.LastModified ? { lastModified: o.LastModified } : {}),
            },
          ]
        : [],
    );
    return out.IsTruncated && out.NextContinuationToken
      ? { objects, nextCursor: out.NextContinuationToken }
      : { objects };
  }

  return {
    kind: 's3',
    client,

    async put(
      key: string,
      body: Buffer | Uint8Array | string | Readable,
      putOptions: PutOptions = {},
    ) {
      const params = {
        Bucket,
        Key: validateStorageKey(key),
        Body: body,
        ...(putOptions.contentType ? { ContentType: putOptions.contentType } : {}),
        ...(putOptions.cacheControl ? { CacheControl: putOptions.cacheControl } : {}),
      };
      if (body instanceof Readable) {
        await new Upload({
          client,
          params,
          partSize: PART_SIZE,
          queueSize: 4,
          leavePartsOnError: false,
        }).done();
      } else {
        await client.send(new PutObjectCommand(params));
      }
    },

    async get(key: string, range?: ByteRange) {
      try {
        const out = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: validateStorageKey(key),
            ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
          }),
        );
        if (!(out.Body instanceof Readable))
          throw new Error('S3 returned a body that is not a Node stream');
        return out.Body;
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(key);
        throw error;
      }
    },

    head,

    async delete(key: string) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: validateStorageKey(key) }));
    },

    async deletePrefix(prefix: string) {
      let removed = 0;
      // Always re-list from the start: deleting while paging would skip keys.
      for (;;) {
        const page = await list(prefix, { limit: 1000 });
        if (page.objects.length === 0) return removed;
        const out = await client.send(
          new DeleteObjectsCommand({
            Bucket,
            Delete: { Objects: page.objects.map((o) => ({ Key: o.key })), Quiet: true },
          }),
        );
        if (out.Errors?.length)
          throw new Error(`could not delete ${out.Errors.length} objects under ${prefix}`);
        removed += page.objects.length;
      }
    },

    list,

    async presignGet(key: string, { expiresInSeconds, downloadName }) {
      return getSignedUrl(
        presigner,
        new GetObjectCommand({
          Bucket,
          Key: validateStorageKey(key),
          ...(downloadName ? { ResponseContentDisposition: contentDisposition(downloadName) } : {}),
        }),
        { expiresIn: expiresInSeconds },
      );
    },

    async presignPut(key: string, { expiresInSeconds, contentType, contentLength }) {
      return getSignedUrl(
        presigner,
        new PutObjectCommand({
          Bucket,
          Key: validateStorageKey(key),
          ...(contentType ? { ContentType: contentType } : {}),
          ...(contentLength !== undefined ? { ContentLength: contentLength } : {}),
        }),
        { expiresIn: expiresInSeconds, ...(contentLength !== undefined ? SIGNED_LENGTH : {}) },
      );
    },

    async createMultipart(key: string, putOptions: PutOptions = {}) {
      const out = await client.send(
        new CreateMultipartUploadCommand({
          Bucket,
          Key: validateStorageKey(key),
          ...(putOptions.contentType ? { ContentType: putOptions.contentType } : {}),
          ...(putOptions.cacheControl ? { CacheControl: putOptions.cacheControl } : {}),
        }),
      );
      if (!out.UploadId) throw new Error('S3 did not return an upload id');
      return { key, uploadId: out.UploadId };
    },

    async presignPart(
      upload: MultipartUpload,
      partNumber: number,
      { expiresInSeconds, contentLength },
    ) {
      return getSignedUrl(
        presigner,
        new UploadPartCommand({
          Bucket,
          Key: validateStorageKey(upload.key),
          UploadId: upload.uploadId,
          PartNumber: partNumber,
          ...(contentLength !== undefined ? { ContentLength: contentLength } : {}),
        }),
        { expiresIn: expiresInSeconds, ...(contentLength !== undefined ? SIGNED_LENGTH : {}) },
      );
    },

    async listParts(upload: MultipartUpload) {
      const parts: StoredPart[] = [];
      let marker: string | undefined;
      try {
        for (;;) {
          const out = await client.send(
            new ListPartsCommand({
              Bucket,
              Key: validateStorageKey(upload.key),
              UploadId: upload.uploadId,
              MaxParts: 1000,
              ...(marker ? { PartNumberMarker: marker } : {}),
            }),
          );
          for (const part of out.Parts ?? []) {
            if (part.PartNumber && part.ETag)
              parts.push({ partNumber: part.PartNumber, etag: part.ETag, size: part.Size ?? 0 });
          }
          if (!out.IsTruncated || !out.NextPartNumberMarker) break;
          marker = out.NextPartNumberMarker;
        }
      } catch (error) {
        if (error instanceof S3ServiceException && error.name === 'NoSuchUpload') return undefined;
        throw error;
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },

    async completeMultipart(upload: MultipartUpload, parts: CompletedPart[]) {
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: validateStorageKey(upload.key),
          UploadId: upload.uploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      );
    },

    async copy(fromKey: string, toKey: string) {
      // One CopyObject: up to 5 GiB, which covers every single-PUT upload.
      await client.send(
        new CopyObjectCommand({
          Bucket,
          Key: validateStorageKey(toKey),
          CopySource: `${Bucket}/${validateStorageKey(fromKey).split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    },

    async abortMultipart(upload: MultipartUpload) {
      await client.send(
        new AbortMultipartUploadCommand({
          Bucket,
          Key: validateStorageKey(upload.key),
          UploadId: upload.uploadId,
        }),
      );
    },
  };
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' ||
      error.name === 'NoSuchKey' ||
      error.$metadata.httpStatusCode === 404)
  );
}
