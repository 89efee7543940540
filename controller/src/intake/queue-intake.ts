import {
  TranscodeJobMessage,
  type CodecFamily,
  type TranscodeJobResource,
} from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';
import {
  runWithVisibility,
  type HandlerOutcome,
  type QueuePort,
  type ReceivedMessage,
} from '@videoforge/platform/queue';
import { transcodeJobFor, type JobRow } from './transcode-job.factory.ts';

export interface QueueIntakeDeps {
  queue: QueuePort;
  sql: Sql;
  logger: Logger;
  namespace: string;
  bucket: string;
  /** What a job that named no codec families gets (TRANSCODE_CODECS). */
  defaultCodecs?: readonly CodecFamily[];
  /** The chunks a long title may be cut into (TRANSCODE_CHUNK_MAX_PARALLEL), written into spec.chunking. */
  chunkMaxParallel?: number;
  /** Creates the resource; resolves 'exists' when it was already there (AlreadyExists is success). */
  createResource: (resource: TranscodeJobResource) => Promise<'created' | 'exists'>;
  visibilityTimeoutSeconds: number;
  waitSeconds: number;
  onMessage?: (outcome: HandlerOutcome | 'error') => void;
}

/**
 * Turns queue messages `{ jobId }` into TranscodeJobs. The message is deleted only
 * after the resource exists, so a crash in between redelivers it and the second
 * create finds the first. A message that cannot be handled is left to be received
 * again, and the queue's dead-letter policy takes it after too many tries.
 */
export function startQueueIntake(deps: QueueIntakeDeps): { stop(): Promise<void> } {
  const { logger } = deps;

  async function handle(message: ReceivedMessage): Promise<HandlerOutcome> {
    let parsed: TranscodeJobMessage;
    try {
      parsed = TranscodeJobMessage.parse(JSON.parse(message.body));
    } catch (error) {
      logger.error(
        { err: error, messageId: message.id, receiveCount: message.receiveCount },
        'malformed queue message; leaving it for the dead-letter queue',
      );
      return 'retry';
    }
    // The video row holds the duration the API probed when the upload completed: what
    // strategy auto needs to decide whether to chunk, and the chunked strategy to cut.
    const [job] = await deps.sql<JobRow[]>`
      SELECT j.id, j.video_id, j.formats, j.strategy, j.hdr, j.codecs, j.input_key, j.output_prefix,
             j.status, v.duration_seconds
      FROM jobs j LEFT JOIN gallery_videos v ON v.id = j.video_id
      WHERE j.id = ${parsed.jobId}`;
    if (!job) {
      logger.warn({ jobId: parsed.jobId }, 'job no longer exists; dropping its message');
      return 'done';
    }
    if (job.status === 'cancelled') return 'done';
    const outcome = await deps.createResource(
      transcodeJobFor(job, {
        namespace: deps.namespace,
        bucket: deps.bucket,
        ...(deps.defaultCodecs ? { defaultCodecs: deps.defaultCodecs } : {}),
        ...(deps.chunkMaxParallel ? { chunkMaxParallel: deps.chunkMaxParallel } : {}),
      }),
    );
    logger.info(
      { jobId: job.id, outcome },
      outcome === 'created' ? 'TranscodeJob created' : 'TranscodeJob already existed',
    );
    return 'done';
  }

  // Stopping lets the current SQS long poll finish rather than aborting it: an aborted
  // poll can still be handed a message server-side, which would then sit invisible
  // until its visibility timeout. Whatever arrives after stop is released at once.
  // The Postgres queue claims in a transaction, so its wait can simply be cut short.
  let stopping = false;
  const abortWait = new AbortController();
  const loop = (async () => {
    while (!stopping) {
      try {
        const messages = await deps.queue.receive({
          maxMessages: 10,
          waitSeconds: deps.waitSeconds,
          visibilityTimeoutSeconds: deps.visibilityTimeoutSeconds,
          ...(deps.queue.kind === 'postgres' ? { signal: abortWait.signal } : {}),
        });
        // A batch is handled at once: each message is its own job, and one at a time
        // would leave intake waiting on round trips (database, API server, queue).
        await Promise.all(
          messages.map(async (message) => {
            if (stopping) {
              await deps.queue.changeVisibility(message.receipt, 0).catch(() => undefined);
              return;
            }
            try {
              const outcome = await runWithVisibility(deps.queue, message, handle, {
                visibilityTimeoutSeconds: deps.visibilityTimeoutSeconds,
                retryDelaySeconds: 5,
              });
              deps.onMessage?.(outcome);
            } catch (error) {
              deps.onMessage?.('error');
              logger.warn(
                { err: error, messageId: message.id },
                'queue message failed; it will be retried',
              );
            }
          }),
        );
      } catch (error) {
        if (stopping) break;
        logger.warn({ err: error }, 'receiving from the queue failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      abortWait.abort();
      await loop;
    },
  };
}
