import type { QueueEnv } from '../config/env-schemas.ts';
import type { Sql } from '../database/connection.ts';
import { createPostgresQueue } from './postgres.queue.ts';
import type { QueuePort } from './queue.port.ts';
import { createSqsQueue } from './sqs.queue.ts';

/** Builds the configured queue adapter. */
export function createQueue(env: QueueEnv, sql: Sql): QueuePort {
  switch (env.QUEUE_DRIVER) {
    case 'sqs':
      if (!env.SQS_QUEUE_URL) throw new Error('SQS_QUEUE_URL is required when QUEUE_DRIVER=sqs');
      return createSqsQueue({
        queueUrl: env.SQS_QUEUE_URL,
        region: env.AWS_REGION,
        ...(env.SQS_ENDPOINT ? { endpoint: env.SQS_ENDPOINT } : {}),
        visibilityTimeoutSeconds: env.QUEUE_VISIBILITY_TIMEOUT_SECONDS,
      });
    case 'postgres':
      return createPostgresQueue({
        sql,
        name: env.QUEUE_NAME,
        visibilityTimeoutSeconds: env.QUEUE_VISIBILITY_TIMEOUT_SECONDS,
        maxReceives: env.QUEUE_MAX_RECEIVES,
      });
  }
}
