import { Counter, Gauge, Histogram, type Registry } from '@videoforge/platform/metrics';
import type { TranscodeJobStatus } from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import type { HandlerOutcome, QueuePort } from '@videoforge/platform/queue';

export interface ControllerMetrics {
  transcodeJobs: Gauge<'phase'>;
  reconcileDuration: Histogram;
  reconcileErrors: Counter;
  queueReceived: Counter;
  queueDeleted: Counter;
  queueDepth: Gauge<'state'>;
  queueOldestAge: Gauge;
  renditionDuration: Histogram<'rendition'>;
  renditionsCompleted: Counter<'rendition'>;
  mediaSecondsTranscoded: Counter<'rendition'>;
  jobsCompleted: Counter;
  jobsFailed: Counter;
  leader: Gauge;
}

/**
 * The operator's metrics. Throughput is rate(videoforge_media_seconds_transcoded_total)
 * (media seconds per wall second) and rate(videoforge_renditions_completed_total) × 60
 * (renditions per minute), both by rendition.
 */
export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const registers = [registry];
  return {
    transcodeJobs: new Gauge({
      name: 'videoforge_transcodejobs',
      help: 'TranscodeJobs by phase',
      labelNames: ['phase'],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'videoforge_reconcile_duration_seconds',
      help: 'Time for one reconcile pass',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'videoforge_reconcile_errors_total',
      help: 'Reconcile passes that failed and were retried',
      registers,
    }),
    queueReceived: new Counter({
      name: 'videoforge_queue_messages_received_total',
      help: 'Messages received from the job queue',
      registers,
    }),
    queueDeleted: new Counter({
      name: 'videoforge_queue_messages_deleted_total',
      help: 'Messages deleted after their TranscodeJob existed',
      registers,
    }),
    queueDepth: new Gauge({
      name: 'videoforge_queue_depth',
      help: 'Messages in the job queue',
      labelNames: ['state'],
      registers,
    }),
    queueOldestAge: new Gauge({
      name: 'videoforge_queue_oldest_message_age_seconds',
      help: 'Age of the oldest queued message, where the queue can tell',
      registers,
    }),
    renditionDuration: new Histogram({
      name: 'videoforge_rendition_duration_seconds',
      help: 'Wall time from start to completion of one rendition',
      labelNames: ['rendition'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600],
      registers,
    }),
    renditionsCompleted: new Counter({
      name: 'videoforge_renditions_completed_total',
      help: 'Renditions finished',
      labelNames: ['rendition'],
      registers,
    }),
    mediaSecondsTranscoded: new Counter({
      name: 'videoforge_media_seconds_transcoded_total',
      help: 'Seconds of source media transcoded, by rendition',
      labelNames: ['rendition'],
      registers,
    }),
    jobsCompleted: new Counter({
      name: 'videoforge_jobs_completed_total',
      help: 'Transcode jobs that succeeded',
      registers,
    }),
    jobsFailed: new Counter({
      name: 'videoforge_jobs_failed_total',
      help: 'Transcode jobs that failed',
      registers,
    }),
    leader: new Gauge({
      name: 'videoforge_controller_leader',
      help: '1 while this replica holds the leader lease',
      registers,
    }),
  };
}

/** Counts what a status change completed: called with the status before and after a pass. */
export function recordTransitions(
  metrics: ControllerMetrics,
  before: TranscodeJobStatus | undefined,
  after: TranscodeJobStatus,
  mediaDurationSeconds: number | undefined,
): void {
  if (after.phase !== before?.phase) {
    if (after.phase === 'Succeeded') metrics.jobsCompleted.inc();
    if (after.phase === 'Failed') metrics.jobsFailed.inc();
  }
  for (const rendition of newlySucceeded(before, after)) {
    metrics.renditionsCompleted.inc({ rendition: rendition.name });
    if (mediaDurationSeconds)
      metrics.mediaSecondsTranscoded.inc({ rendition: rendition.name }, mediaDurationSeconds);
    if (rendition.startedAt && rendition.completedAt) {
      const seconds = (Date.parse(rendition.completedAt) - Date.parse(rendition.startedAt)) / 1000;
      if (seconds >= 0) metrics.renditionDuration.observe({ rendition: rendition.name }, seconds);
    }
  }
}

/**
 * recordTransitions for a job whose media duration is read only when a rendition has
 * just finished: status passes arrive every second or so while a job runs.
 */
export async function recordJobTransitions(
  metrics: ControllerMetrics,
  before: TranscodeJobStatus | undefined,
  after: TranscodeJobStatus,
  mediaDurationSeconds: () => Promise<number | undefined>,
): Promise<void> {
  const duration =
    newlySucceeded(before, after).length > 0 ? await mediaDurationSeconds() : undefined;
  recordTransitions(metrics, before, after, duration);
}

function newlySucceeded(before: TranscodeJobStatus | undefined, after: TranscodeJobStatus) {
  return (after.renditions ?? []).filter(
    (rendition) =>
      rendition.phase === 'Succeeded' &&
      before?.renditions?.find((r) => r.name === rendition.name)?.phase !== 'Succeeded',
  );
}

/** The intake's onMessage: counts receives, and deletes of handled messages. */
export function countIntake(
  metrics: ControllerMetrics,
): (outcome: HandlerOutcome | 'error') => void {
  return (outcome) => {
    metrics.queueReceived.inc();
    if (outcome === 'done') metrics.queueDeleted.inc();
  };
}

/** Samples the queue's depth and oldest message age every 15 s; returns the stop. */
export function sampleQueueDepth(
  queue: QueuePort,
  metrics: ControllerMetrics,
  logger: Logger,
): () => void {
  const timer = setInterval(() => {
    queue.depth().then(
      (depth) => {
        metrics.queueDepth.set({ state: 'visible' }, depth.visible);
        metrics.queueDepth.set({ state: 'in_flight' }, depth.inFlight);
        if (depth.oldestAgeSeconds !== undefined)
          metrics.queueOldestAge.set(depth.oldestAgeSeconds);
      },
      (error: unknown) => logger.warn({ err: error }, 'reading queue depth failed'),
    );
  }, 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
