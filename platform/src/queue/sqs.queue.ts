import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import type { QueueDepth, QueuePort, ReceiveOptions, SendOptions } from './queue.port.ts';

export interface SqsQueueOptions {
  queueUrl: string;
  region: string;
  /** For SQS-compatible servers (ElasticMQ, moto); unset means AWS. */
  endpoint?: string;
  credentials?: SQSClientConfig['credentials'];
  /** Default visibility timeout for receives; the queue's own setting applies when unset. */
  visibilityTimeoutSeconds?: number;
  /** Reuse a client (e.g. for the dead-letter queue of the same account). */
  client?: SQSClient;
}

/**
 * Amazon SQS (standard or FIFO, told apart by the `.fifo` suffix). Dead-lettering is
 * SQS's redrive policy, configured on the queue; `deadLetters()` follows it.
 */
export function createSqsQueue(options: SqsQueueOptions): QueuePort & { client: SQSClient } {
  const client =
    options.client ??
    new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  const QueueUrl = options.queueUrl;
  const fifo = QueueUrl.endsWith('.fifo');
  let deadLetterUrl: string | undefined | null = null; // null: not looked up yet

  async function lookUpDeadLetterUrl(): Promise<string | undefined> {
    if (deadLetterUrl !== null) return deadLetterUrl;
    const out = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    const policy = out.Attributes?.RedrivePolicy;
    const arn = policy
      ? (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
    // arn:aws:sqs:REGION:ACCOUNT:NAME → same endpoint, /ACCOUNT/NAME
    const parts = arn?.split(':');
    deadLetterUrl =
      parts && parts.length >= 6
        ? new URL(`/${parts[4]}/${parts[5]}`, QueueUrl).toString()
        : undefined;
    return deadLetterUrl;
  }

  const queue: QueuePort & { client: SQSClient } = {
    kind: 'sqs',
    client,

    async send(body: string, sendOptions: SendOptions = {}) {
      const out = await client.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          ...(fifo ? { MessageGroupId: sendOptions.groupId ?? 'default' } : {}),
          ...(fifo && sendOptions.deduplicationId
            ? { MessageDeduplicationId: sendOptions.deduplicationId }
            : {}),
          // SQS FIFO queues reject per-message delays.
          ...(!fifo && sendOptions.delaySeconds ? { DelaySeconds: sendOptions.delaySeconds } : {}),
        }),
      );
      return { messageId: out.MessageId ?? '' };
    },

    async receive(receiveOptions: ReceiveOptions = {}) {
      const visibility =
        receiveOptions.visibilityTimeoutSeconds ?? options.visibilityTimeoutSeconds;
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: Math.min(Math.max(receiveOptions.maxMessages ?? 1, 1), 10),
          WaitTimeSeconds: receiveOptions.waitSeconds ?? 0,
          ...(visibility !== undefined ? { VisibilityTimeout: visibility } : {}),
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
        receiveOptions.signal ? { abortSignal: receiveOptions.signal } : {},
      );
      return (out.Messages ?? []).map((m) => ({
        id: m.MessageId ?? '',
        body: m.Body ?? '',
        receipt: m.ReceiptHandle ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        sentAt: new Date(Number(m.Attributes?.SentTimestamp ?? Date.now())),
      }));
    },

    async delete(receipt: string) {
      await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: receipt }));
    },

    async changeVisibility(receipt: string, seconds: number) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: receipt,
          VisibilityTimeout: Math.max(0, Math.floor(seconds)),
        }),
      );
    },

    async depth(): Promise<QueueDepth> {
      const out = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      // The oldest message's age is a CloudWatch metric (ApproximateAgeOfOldestMessage), not an attribute.
      return {
        visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },

    async deadLetters() {
      const url = await lookUpDeadLetterUrl();
      return url ? createSqsQueue({ ...options, queueUrl: url, client }) : undefined;
    },

    async close() {
      if (!options.client) client.destroy();
    },
  };
  return queue;
}
