import type { Job, JobEvent } from '@videoforge/contracts';

/** Folds a live event into the job it belongs to (events for other jobs change nothing). */
export function applyJobEvent(job: Job, event: JobEvent): Job {
  if (event.jobId !== job.id) return job;
  return {
    ...job,
    status: event.status,
    progress: event.progress,
    renditions: event.renditions ?? job.renditions,
    playable: event.playable ?? job.playable,
    playableAt: event.playableAt !== undefined ? event.playableAt : job.playableAt,
    errorMessage: event.status === 'failed' ? (event.error ?? job.errorMessage) : job.errorMessage,
  };
}

/**
 * A video can be watched once a rendition has its first segments up (the API's
 * `playable`), or one is done, before the whole job finishes.
 */
export function isPlayable(job: Pick<Job, 'status' | 'renditions' | 'playable'>): boolean {
  return (
    job.playable ||
    job.status === 'succeeded' ||
    job.renditions.some((r) => r.phase === 'succeeded')
  );
}
