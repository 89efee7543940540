import type { Sql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';
import type { StoragePort } from '@videoforge/platform/storage';
import { pinnedKey } from './upload-policy.ts';
import { createUploadsRepository } from './uploads.repository.ts';

export interface UploadSweeperDeps {
  sql: Sql;
  storage: StoragePort;
  logger: Logger;
}

/**
 * Abandoned uploads cost money (S3 keeps and bills incomplete multipart parts) and
 * leave objects nobody owns. Once an upload's presigned URLs have expired it can no
 * longer be finished, so its bytes and parts are removed. Returns how many were swept.
 */
export async function sweepExpiredUploads(
  { sql, storage, logger }: UploadSweeperDeps,
  batch = 100,
): Promise<number> {
  const uploads = createUploadsRepository(sql);
  let swept = 0;
  for (;;) {
    const expired = await uploads.claimExpired(batch);
    for (const upload of expired) {
      if (upload.multipartId) {
        await storage
          .abortMultipart({ key: upload.storageKey, uploadId: upload.multipartId })
          .catch((error: unknown) =>
            logger.debug(
              { err: error, uploadId: upload.id },
              'abort multipart failed (already gone)',
            ),
          );
      }
      await storage.delete(upload.storageKey);
      if (!upload.multipartId) await storage.delete(pinnedKey(upload.storageKey));
    }
    swept += expired.length;
    if (expired.length < batch) break;
  }
  if (swept > 0) logger.info({ swept }, 'removed expired, unfinished uploads');
  return swept;
}

/** Runs the sweep now and then every `intervalMs`; the returned function stops it. */
export function startUploadSweeper(deps: UploadSweeperDeps, intervalMs = 15 * 60_000): () => void {
  const run = () => {
    sweepExpiredUploads(deps).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'upload sweep failed'),
    );
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
