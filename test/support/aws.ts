import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

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
