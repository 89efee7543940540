import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsQueue, type QueuePort } from '@videoforge/platform/queue';
import type { StoragePort } from '@videoforge/platform/storage';
import { createS3Storage } from '@videoforge/platform/storage/s3';

/** moto accepts any credentials; explicit ones keep the SDK from searching the machine. */
export const testCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const testRegion = 'us-east-1';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function createTestBucket(endpoint: string): Promise<string> {
  const bucket = uniqueName('vf-test');
  const client = new S3Client({
    endpoint,
    region: testRegion,
    forcePathStyle: true,
    credentials: testCredentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return bucket;
}

/** A queue with a dead-letter queue attached by redrive policy after `maxReceiveCount` receives. */
export async function createTestQueues(
  endpoint: string,
  { fifo = false, maxReceiveCount = 3, visibilityTimeoutSeconds = 30 } = {},
): Promise<{ queueUrl: string; deadLetterUrl: string }> {
  const client = new SQSClient({ endpoint, region: testRegion, credentials: testCredentials });
  const base = uniqueName('vf-test');
  const suffix = fifo ? '.fifo' : '';
  const fifoAttributes: Record<string, string> = fifo
    ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' }
    : {};
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: `${base}-dlq${suffix}`, Attributes: fifoAttributes }),
  );
  const dlqArn = (
    await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${base}${suffix}`,
      Attributes: {
        ...fifoAttributes,
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  client.destroy();
  if (!queue.QueueUrl || !dlq.QueueUrl) throw new Error('queue creation returned no URL');
  return { queueUrl: queue.QueueUrl, deadLetterUrl: dlq.QueueUrl };
}

/** The test credentials as the environment of a process (or pod) that talks to moto. */
export const testCredentialsEnv = {
  AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
};

/** The S3 storage adapter on a moto bucket. */
export function testS3Storage(
  endpoint: string,
  bucket: string,
): StoragePort & { client: S3Client } {
  return createS3Storage({
    bucket,
    region: testRegion,
    endpoint,
    forcePathStyle: true,
    credentials: testCredentials,
  });
}

export interface TestAws {
  bucket: string;
  queueUrl: string;
  storage: StoragePort;
  queue: QueuePort;
  /** What points a VideoForge process's storage and queue at this bucket and queue. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A fresh bucket and queue (with its dead-letter queue) on moto, the platform's S3 and
 * SQS adapters on them, and the environment that gives a process the same.
 */
export async function createTestAws(endpoint: string): Promise<TestAws> {
  const bucket = await createTestBucket(endpoint);
  const { queueUrl } = await createTestQueues(endpoint, { visibilityTimeoutSeconds: 30 });
  const storage = testS3Storage(endpoint, bucket);
  const queue = createSqsQueue({
    queueUrl,
    region: testRegion,
    endpoint,
    credentials: testCredentials,
  });
  return {
    bucket,
    queueUrl,
    storage,
    queue,
    env: {
      STORAGE_DRIVER: 's3',
      S3_BUCKET_NAME: bucket,
      S3_ENDPOINT: endpoint,
      QUEUE_DRIVER: 'sqs',
      SQS_QUEUE_URL: queueUrl,
      SQS_ENDPOINT: endpoint,
      ...testCredentialsEnv,
    },
    async close() {
      await queue.close();
      storage.client.destroy();
    },
  };
}
