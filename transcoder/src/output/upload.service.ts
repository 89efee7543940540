import { open } from 'node:fs/promises';
import path from 'node:path';
import type { StoragePort } from '@videoforge/platform/storage';
import { cacheControlFor, contentTypeFor, uploadRank } from './output-layout.ts';

export interface LocalFile {
  /** Path on disk. */
  path: string;
  /** Key relative to the upload prefix, e.g. "segment-00001.m4s" or "thumbnails/sprite.jpg". */
  name: string;
}

const PARALLEL_UPLOADS = 4;

/**
 * Uploads files under a prefix, rank by rank (media, then playlists, then the manifest)
 * so nothing is visible before what it references. Bodies are streams: the S3 adapter
 * turns large ones into multipart uploads. A failure or cancel removes what this call
 * uploaded, so a prefix is either complete or absent.
 */
export async function uploadFiles(
  storage: StoragePort,
  prefix: string,
  files: readonly LocalFile[],
  signal?: AbortSignal,
): Promise<void> {
  const uploaded: string[] = [];
  const ranks = [...new Set(files.map((file) => uploadRank(path.basename(file.name))))].sort(
    (a, b) => a - b,
  );
  try {
    for (const rank of ranks) {
      const batch = files.filter((file) => uploadRank(path.basename(file.name)) === rank);
      await forEachLimited(batch, PARALLEL_UPLOADS, async (file) => {
        signal?.throwIfAborted();
        const key = `${prefix}${file.name}`;
        // Opened first, so a missing file rejects here instead of surfacing later as
        // an unhandled ENOENT 'error' event on a stream the adapter is reading.
        const handle = await open(file.path, 'r');
        await storage.put(key, handle.createReadStream(), {
          contentType: contentTypeFor(file.name),
          cacheControl: cacheControlFor(file.name),
        });
        uploaded.push(key);
      });
    }
  } catch (error) {
    await Promise.allSettled(uploaded.map((key) => storage.delete(key)));
    throw error;
  }
}

/**
 * Runs tasks with bounded concurrency. After a failure no new task starts, and it
 * rejects only once the running ones have settled, so the caller's cleanup sees every
 * object that was written.
 */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
