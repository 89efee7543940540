import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StorageEnv } from '../config/env-schemas.ts';
import { createLocalStorage } from './local.storage.ts';
import { createS3Storage } from './s3.storage.ts';
import type { StoragePort } from './storage.port.ts';

/** Builds the configured storage adapter. `apiBaseUrl` is where the API serves local signed URLs. */
export async function createStorage(env: StorageEnv, apiBaseUrl: string): Promise<StoragePort> {
  switch (env.STORAGE_DRIVER) {
    case 's3': {
      if (!env.S3_BUCKET_NAME) throw new Error('S3_BUCKET_NAME is required when STORAGE_DRIVER=s3');
      return createS3Storage({
        bucket: env.S3_BUCKET_NAME,
        region: env.S3_REGION,
        ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
        ...(env.S3_FORCE_PATH_STYLE !== undefined
          ? { forcePathStyle: env.S3_FORCE_PATH_STYLE }
          : {}),
      });
    }
    case 'local':
      return createLocalStorage({
        rootDir: env.LOCAL_STORAGE_DIR,
        publicBaseUrl: `${(env.PUBLIC_BASE_URL ?? apiBaseUrl).replace(/\/$/, '')}/api/storage`,
        signingSecret:
          env.STORAGE_SIGNING_SECRET ?? (await loadOrCreateSecret(env.LOCAL_STORAGE_DIR)),
      });
  }
}

/**
 * All-in-one mode must work with no configuration, yet signed URLs must survive a
 * restart, so an unset secret is generated once and kept (mode 0600) beside the data.
 */
async function loadOrCreateSecret(storageDir: string): Promise<string> {
  const file = path.join(storageDir, '.signing-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(storageDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}
