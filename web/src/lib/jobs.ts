import type { Job, JobEvent } from '@videoforge/contracts';

/** Folds a live event into the job it belongs to (events for other jobs change nothing). */
export function applyJobEvent(job: Job, event: JobEvent): Job {
  if (event.jobId !== job.id) return job;
  return {
    ...job,
    status: event.status,
    progress: event.progress,
    renditions: event.renditions ?? job.renditions,
    errorMessage: event.status === 'failed' ? (event.error ?? job.errorMessage) : job.errorMessage,
  };
}

/** A video can be watched once one rendition is done, before the whole job finishes. */
export function isPlayable(job: Pick<Job, 'status' | 'renditions'>): boolean {
  return job.status === 'succeeded' || job.renditions.some((r) => r.phase === 'succeeded');
}
