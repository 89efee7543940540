import type { V1Job } from '@kubernetes/client-node';
import type { ObservedWorkload, WorkloadType } from '../reconcile/workload.ts';
import { LABELS } from './job-manifest.builder.ts';

const TYPES: readonly WorkloadType[] = ['rendition', 'ladder', 'tracks', 'finalize'];

/** Reads a Job the controller owns as the reconciler's ObservedWorkload. */
export function observeJob(job: V1Job, progress?: number): ObservedWorkload | undefined {
  const name = job.metadata?.name;
  const type = job.metadata?.labels?.[LABELS.workloadType] as WorkloadType | undefined;
  if (!name || !type || !TYPES.includes(type)) return undefined;
  const renditions = (job.metadata?.annotations?.[LABELS.renditions] ?? '')
    .split(',')
    .filter(Boolean);
  const conditions = job.status?.conditions ?? [];
  const complete = conditions.find((c) => c.type === 'Complete' && c.status === 'True');
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  const attempts =
    (job.status?.failed ?? 0) + (job.status?.succeeded ?? 0) + (job.status?.active ?? 0);
  const base = {
    name,
    type,
    renditions,
    attempts,
    ...(job.status?.startTime ? { startedAt: new Date(job.status.startTime) } : {}),
    ...(job.status?.completionTime ? { completedAt: new Date(job.status.completionTime) } : {}),
  };
  if (complete) return { ...base, state: 'succeeded' };
  if (failed) {
    const kind =
      failed.reason === 'PodFailurePolicy'
        ? 'bad-input'
        : failed.reason === 'DeadlineExceeded'
          ? 'deadline'
          : failed.reason === 'BackoffLimitExceeded'
            ? 'transient'
            : 'unknown';
    const message =
      kind === 'bad-input'
        ? `the transcoder refused the input (exit 2)${failed.message ? `: ${failed.message}` : ''}`
        : kind === 'transient'
          ? `failed ${job.status?.failed ?? 0} time(s); retries exhausted`
          : (failed.message ?? failed.reason ?? 'failed');
    return {
      ...base,
      state: 'failed',
      failure: { kind, message },
      ...(failed.lastTransitionTime ? { completedAt: new Date(failed.lastTransitionTime) } : {}),
    };
  }
  return { ...base, state: 'active', ...(progress !== undefined ? { progress } : {}) };
}
