import type { V1Job, V1JobCondition } from '@kubernetes/client-node';
import { TRANSCODER_EXIT } from '@videoforge/contracts';
import type { ObservedWorkload, WorkloadFailureKind, WorkloadType } from '../reconcile/workload.ts';
import { LABELS } from './job-manifest.builder.ts';

const TYPES: readonly WorkloadType[] = [
  'rendition',
  'ladder',
  'tracks',
  'chunk',
  'stitch',
  'finalize',
];

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
    const kind = failureKindOf(failed.reason);
    const message = failureMessage(kind, failed, job.status?.failed ?? 0);
    return {
      ...base,
      state: 'failed',
      failure: { kind, message },
      ...(failed.lastTransitionTime ? { completedAt: new Date(failed.lastTransitionTime) } : {}),
    };
  }
  return { ...base, state: 'active', ...(progress !== undefined ? { progress } : {}) };
}

/** The Job controller's Failed reasons, as the reconciler's failure kinds. */
export function failureKindOf(reason: string | undefined): WorkloadFailureKind {
  if (reason === undefined) return 'unknown';
  switch (reason) {
    // The pod failure policy's FailJob rule: the transcoder's bad-input exit code.
    case 'PodFailurePolicy':
      return 'bad-input';
    case 'DeadlineExceeded':
      return 'deadline';
    case 'BackoffLimitExceeded':
      return 'transient';
    default:
      return 'unknown';
  }
}

function failureMessage(
  kind: WorkloadFailureKind,
  failed: V1JobCondition,
  failedPods: number,
): string {
  switch (kind) {
    case 'bad-input':
      return `the transcoder refused the input (exit ${TRANSCODER_EXIT.badInput})${failed.message ? `: ${failed.message}` : ''}`;
    case 'transient':
      return `failed ${failedPods} time(s); retries exhausted`;
    case 'deadline':
    case 'unknown':
      return failed.message ?? failed.reason ?? 'failed';
  }
}
