/** A message as delivered by either queue adapter. */
export interface ReceivedMessage {
  id: string;
  body: string;
  /** Handle for delete / visibility changes; each delivery gets a fresh one. */
  receipt: string;
  /** 1 on first delivery; the dead-letter decision counts these. */
  receiveCount: number;
  sentAt: Date;
}

export interface SendOptions {
  /** FIFO queues: messages of one group are delivered in order, one at a time. */
  groupId?: string;
  /** FIFO queues: a repeated id within the dedup window is accepted but not delivered twice. */
  deduplicationId?: string;
  delaySeconds?: number;
}

export interface ReceiveOptions {
  maxMessages?: number;
  /** Long polling: wait up to this long for a message (0–20 s, as SQS). */
  waitSeconds?: number;
  visibilityTimeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  /** Age of the oldest message not yet deleted, when the adapter can tell. */
  oldestAgeSeconds?: number;
}

/**
 * The queue port: at-least-once delivery with a visibility timeout. Consumers must be
 * idempotent; a message not deleted before its timeout is delivered again, and one
 * received more than the configured maximum goes to the dead-letter queue.
 */
export interface QueuePort {
  readonly kind: 'postgres' | 'sqs';
  send(body: string, options?: SendOptions): Promise<{ messageId: string }>;
  receive(options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  delete(receipt: string): Promise<void>;
  /** Sets the remaining invisibility of a received message (0 releases it now). */
  changeVisibility(receipt: string, seconds: number): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** The dead-letter queue, to inspect or redrive what failed. */
  deadLetters(): Promise<QueuePort | undefined>;
  close(): Promise<void>;
}
