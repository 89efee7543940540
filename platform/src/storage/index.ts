export * from './storage.port.ts';
export { InvalidStorageKeyError, validateStorageKey } from './storage-key.ts';
export {
  createLocalStorage,
  type LocalStorage,
  type LocalStorageOptions,
} from './local.storage.ts';
export { createLocalStorageHandler } from './local-storage.handler.ts';
// createS3Storage is @videoforge/platform/storage/s3: importing it loads the AWS SDK.
export { createStorage } from './create-storage.ts';
export {
  createJobCredentialsIssuer,
  jobCredentialsEnv,
  jobCredentialsSecretData,
  jobSessionPolicy,
  mintJobCredentials,
  needsRenewal,
  JOB_CREDENTIALS_MOUNT,
  JOB_CREDENTIALS_FILE,
  JOB_CONFIG_FILE,
  JOB_CREDENTIALS_SECONDS,
  JOB_CREDENTIALS_RENEW_BEFORE_MS,
  type JobCredentials,
  type JobCredentialsIssuer,
  type JobStorageScope,
} from './job-credentials.ts';
