export { ConfigError, loadConfig, loadConfigOrExit, type Environment } from './load-config.ts';
export {
  DatabaseEnv,
  LoggingEnv,
  QueueEnv,
  StorageEnv,
  withAdapterRequirements,
} from './env-schemas.ts';
export { loadOrCreateSecret } from './generated-secret.ts';
