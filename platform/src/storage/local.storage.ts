import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { limitBytes, type BodyLimit } from './body-limit.ts';
import { buildSignedUrl } from './signed-url.ts';
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

export interface LocalStorageOptions {
  /** Directory holding objects/, meta/, multipart/ and tmp/. */
  rootDir: string;
  /** Where the API serves signed URLs, e.g. http://127.0.0.1:8080/api/storage */
  publicBaseUrl: string;
  signingSecret: string;
}

interface StoredMeta {
  contentType?: string;
  cacheControl?: string;
  etag: string;
}

export interface LocalStorage extends StoragePort {
  readonly kind: 'local';
  readonly signingSecret: string;
  /** Absolute path of an object's file, after key validation. */
  filePath(key: string): string;
  readMeta(key: string): Promise<StoredMeta | undefined>;
  /**
   * Stores one part of a multipart upload; returns its ETag. With a limit, the bytes
   * are counted as they stream and the write stops (nothing stored) past it.
   */
  putPart(
    upload: MultipartUpload,
    partNumber: number,
    body: Readable,
    limit?: BodyLimit,
  ): Promise<string>;
  /** A whole-object PUT whose length is enforced while it streams (see putPart). */
  putLimited(key: string, body: Readable, limit: BodyLimit, options?: PutOptions): Promise<void>;
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/;

/**
 * Object storage on a local directory (all-in-one mode). Writes go to tmp/ and are
 * renamed into place, so a crash never leaves a half-written object visible.
 */
export function createLocalStorage(options: LocalStorageOptions): LocalStorage {
  const root = path.resolve(options.rootDir);
  const objectsDir = path.join(root, 'objects');
  const metaDir = path.join(root, 'meta');
  const multipartDir = path.join(root, 'multipart');
  const tmpDir = path.join(root, 'tmp');

  const filePath = (key: string) => path.join(objectsDir, validateStorageKey(key));
  const metaPath = (key: string) => path.join(metaDir, `${validateStorageKey(key)}.json`);
  const uploadDir = (upload: MultipartUpload) => {
    validateStorageKey(upload.key);
    if (!UPLOAD_ID.test(upload.uploadId)) throw new Error('invalid multipart upload id');
    return path.join(multipartDir, upload.uploadId);
  };

  async function writeAtomically(
    target: string,
    body: Readable,
    limit?: BodyLimit,
  ): Promise<string> {
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const hash = createHash('md5');
    try {
      await pipeline(
        limit ? Readable.from(limitBytes(body, limit)) : body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tmp),
      );
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    return `"${hash.digest('hex')}"`;
  }

  async function readMeta(key: string): Promise<StoredMeta | undefined> {
    try {
      return JSON.parse(await readFile(metaPath(key), 'utf8')) as StoredMeta;
    } catch {
      return undefined;
    }
  }

  async function writeMeta(key: string, meta: StoredMeta): Promise<void> {
    const target = metaPath(key);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, JSON.stringify(meta));
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(filePath(key));
      if (!info.isFile()) return undefined;
      const meta = await readMeta(key);
      return {
        key,
        size: info.size,
        lastModified: info.mtime,
        ...(meta?.contentType ? { contentType: meta.contentType } : {}),
        ...(meta?.etag ? { etag: meta.etag } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function walk(dir: string, prefixDir: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const keys: string[] = [];
    for (const entry of entries) {
      const rel = prefixDir ? `${prefixDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) keys.push(...(await walk(path.join(dir, entry.name), rel)));
      else if (entry.isFile()) keys.push(rel);
    }
    return keys;
  }

  async function list(
    prefix: string,
    options: { cursor?: string; limit?: number } = {},
  ): Promise<ListResult> {
    validateStorageKey(prefix, { allowPrefix: true });
    const limit = options.limit ?? 1000;
    // Walk only the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys = (await walk(path.join(objectsDir, dirPart), dirPart))
      .filter((key) => key.startsWith(prefix) && (!options.cursor || key > options.cursor))
      .sort();
    const page = keys.slice(0, limit);
    const objects: ObjectInfo[] = [];
    for (const key of page) {
      const info = await head(key);
      if (info) objects.push(info);
    }
    const last = page.at(-1);
    return keys.length > limit && last ? { objects, nextCursor: last } : { objects };
  }

  // Keeps the tree tidy after deletes so `deletePrefix` leaves no empty directories.
  async function removeEmptyParents(file: string, stopAt: string): Promise<void> {
    for (
      let dir = path.dirname(file);
      dir.startsWith(stopAt) && dir !== stopAt;
      dir = path.dirname(dir)
    ) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, or already gone
      }
    }
  }

  const storage: LocalStorage = {
    kind: 'local',
    signingSecret: options.signingSecret,
    filePath,
    readMeta,

    async put(
      key: string,
      body: Buffer | Uint8Array | string | Readable,
      putOptions: PutOptions = {},
    ) {
      const target = filePath(key);
      const stream =
        body instanceof Readable
          ? body
          : Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
      const etag = await writeAtomically(target, stream);
      await writeMeta(key, { ...putOptions, etag });
    },

    async putLimited(key: string, body: Readable, limit: BodyLimit, putOptions: PutOptions = {}) {
      const etag = await writeAtomically(filePath(key), body, limit);
      await writeMeta(key, { ...putOptions, etag });
    },

    async copy(fromKey: string, toKey: string) {
      const meta = await readMeta(fromKey);
      if (!(await head(fromKey))) throw new ObjectNotFoundError(fromKey);
      const etag = await writeAtomically(filePath(toKey), createReadStream(filePath(fromKey)));
      await writeMeta(toKey, { ...(meta ?? {}), etag });
    },

    async get(key: string, range?: ByteRange) {
      const file = filePath(key);
      const info = await head(key);
      if (!info) throw new ObjectNotFoundError(key);
      return createReadStream(
        file,
        range ? { start: range.start, ...(range.end !== undefined ? { end: range.end } : {}) } : {},
      );
    },

    head,

    async delete(key: string) {
      const file = filePath(key);
      await rm(file, { force: true });
      await rm(metaPath(key), { force: true });
      await removeEmptyParents(file, objectsDir);
    },

    async deletePrefix(prefix: string) {
      validateStorageKey(prefix, { allowPrefix: true });
      let removed = 0;
      for (;;) {
        const page = await list(prefix, { limit: 1000 });
        for (const object of page.objects) {
          await storage.delete(object.key);
          removed++;
        }
        if (!page.nextCursor) return removed;
      }
    },

    list,

    async presignGet(key: string, { expiresInSeconds, downloadName }) {
      validateStorageKey(key);
      return buildSignedUrl(options.publicBaseUrl, options.signingSecret, {
        key,
        operation: downloadName ? { type: 'get', downloadName } : { type: 'get' },
        expiresAt: expiresAtFor(expiresInSeconds),
      });
    },

    async presignPut(key: string, { expiresInSeconds, contentLength }) {
      validateStorageKey(key);
      return buildSignedUrl(options.publicBaseUrl, options.signingSecret, {
        key,
        operation:
          contentLength === undefined ? { type: 'put' } : { type: 'put', size: contentLength },
        expiresAt: expiresAtFor(expiresInSeconds),
      });
    },

    async createMultipart(key: string, putOptions: PutOptions = {}) {
      validateStorageKey(key);
      const upload = { key, uploadId: randomUUID() };
      const dir = uploadDir(upload);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'upload.json'), JSON.stringify({ key, options: putOptions }));
      return upload;
    },

    async presignPart(
      upload: MultipartUpload,
      partNumber: number,
      { expiresInSeconds, contentLength },
    ) {
      uploadDir(upload);
      checkPartNumber(partNumber);
      return buildSignedUrl(options.publicBaseUrl, options.signingSecret, {
        key: upload.key,
        operation: {
          type: 'part',
          uploadId: upload.uploadId,
          partNumber,
          ...(contentLength === undefined ? {} : { size: contentLength }),
        },
        expiresAt: expiresAtFor(expiresInSeconds),
      });
    },

    async putPart(upload: MultipartUpload, partNumber: number, body: Readable, limit?: BodyLimit) {
      checkPartNumber(partNumber);
      const dir = uploadDir(upload);
      const manifest = await readUploadManifest(dir);
      if (manifest.key !== upload.key)
        throw new Error('multipart upload does not belong to this key');
      const etag = await writeAtomically(path.join(dir, `part-${partNumber}`), body, limit);
      // Beside the part, so listing parts (resuming) never re-reads gigabytes to hash them.
      await writeFile(path.join(dir, `part-${partNumber}.etag`), etag);
      return etag;
    },

    async listParts(upload: MultipartUpload) {
      const dir = uploadDir(upload);
      let names: string[];
      try {
        const manifest = await readUploadManifest(dir);
        if (manifest.key !== upload.key) return undefined;
        names = await readdir(dir);
      } catch {
        return undefined;
      }
      const parts: StoredPart[] = [];
      for (const name of names) {
        const match = /^part-(\d+)$/.exec(name);
        if (!match) continue;
        const file = path.join(dir, name);
        const size = (await stat(file)).size;
        const etag = await readFile(`${file}.etag`, 'utf8').catch(
          async () =>
            `"${createHash('md5')
              .update(await readFile(file))
              .digest('hex')}"`,
        );
        parts.push({ partNumber: Number(match[1]), etag, size });
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },

    async completeMultipart(upload: MultipartUpload, parts: CompletedPart[]) {
      const dir = uploadDir(upload);
      const manifest = await readUploadManifest(dir);
      if (manifest.key !== upload.key)
        throw new Error('multipart upload does not belong to this key');
      if (parts.length === 0) throw new Error('a multipart upload needs at least one part');
      const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      for (const part of ordered) {
        checkPartNumber(part.partNumber);
        const partFile = path.join(dir, `part-${part.partNumber}`);
        const actual = `"${createHash('md5')
          .update(await readFile(partFile))
          .digest('hex')}"`;
        if (actual !== part.etag) throw new Error(`part ${part.partNumber} ETag does not match`);
      }
      async function* concatenate() {
        for (const part of ordered)
          yield* createReadStream(path.join(dir, `part-${part.partNumber}`));
      }
      const etag = await writeAtomically(filePath(upload.key), Readable.from(concatenate()));
      await writeMeta(upload.key, { ...manifest.options, etag });
      await rm(dir, { recursive: true, force: true });
    },

    async abortMultipart(upload: MultipartUpload) {
      await rm(uploadDir(upload), { recursive: true, force: true });
    },
  };
  return storage;
}

async function readUploadManifest(dir: string): Promise<{ key: string; options: PutOptions }> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'upload.json'), 'utf8')) as {
      key: string;
      options: PutOptions;
    };
  } catch (error) {
    if (isNotFound(error))
      throw new Error('multipart upload not found (completed or aborted?)', { cause: error });
    throw error;
  }
}

function checkPartNumber(partNumber: number): void {
  // S3's limits, so clients behave the same against both adapters.
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw new Error('part number must be an integer from 1 to 10000');
  }
}

function expiresAtFor(seconds: number): number {
  return Math.floor(Date.now() / 1000) + Math.max(1, Math.floor(seconds));
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'ENOENT' || error.code === 'ENOTDIR')
  );
}
