export * from './storage.port.ts';
export { InvalidStorageKeyError, validateStorageKey } from './storage-key.ts';
export {
  createLocalStorage,
  type LocalStorage,
  type LocalStorageOptions,
} from './local.storage.ts';
export { createLocalStorageHandler } from './local-storage.handler.ts';
export { createS3Storage, type S3StorageOptions } from './s3.storage.ts';
export { createStorage } from './create-storage.ts';
export {
  jobCredentialsEnv,
  jobCredentialsSecretData,
  jobSessionPolicy,
  mintJobCredentials,
  needsRenewal,
  JOB_CREDENTIALS_MOUNT,
  JOB_CREDENTIALS_FILE,
  JOB_CONFIG_FILE,
  JOB_CREDENTIALS_SECONDS,
  type JobCredentials,
  type JobStorageScope,
} from './job-credentials.ts';
