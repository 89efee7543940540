import type { StorageEnv } from '../config/env-schemas.ts';
import { loadOrCreateSecret } from '../config/generated-secret.ts';
import { createLocalStorage } from './local.storage.ts';
import type { StoragePort } from './storage.port.ts';

/** Builds the configured storage adapter. `apiBaseUrl` is where the API serves local signed URLs. */
export async function createStorage(env: StorageEnv, apiBaseUrl: string): Promise<StoragePort> {
  switch (env.STORAGE_DRIVER) {
    case 's3': {
      if (!env.S3_BUCKET_NAME) throw new Error('S3_BUCKET_NAME is required when STORAGE_DRIVER=s3');
      // The AWS SDK is loaded only when S3 is used: it is a third of a transcoder's start-up,
      // and the all-in-one starts a transcoder per step on local storage.
      const { createS3Storage } = await import('./s3.storage.ts');
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
          env.STORAGE_SIGNING_SECRET ??
          (await loadOrCreateSecret(env.LOCAL_STORAGE_DIR, '.signing-secret')),
      });
  }
}
