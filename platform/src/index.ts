export * from './config/index.ts';
export * from './logging/logger.ts';
export * from './database/index.ts';
export * from './storage/index.ts';
export * from './queue/index.ts';
export * from './outbox/index.ts';
export * from './metrics/metrics.ts';
export * from './process/index.ts';
