import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { failureReason } from '../reconcile/transcode-job.reconciler.ts';
import { LABELS } from './job-manifest.builder.ts';
import { failureKindOf, observeJob } from './job-observer.ts';

function job(status: V1Job['status'], type = 'rendition'): V1Job {
  return {
    metadata: {
      name: 'tj-1-720p',
      labels: { [LABELS.workloadType]: type },
      annotations: { [LABELS.renditions]: '720p' },
    },
    status,
  };
}
const failedWith = (reason: string, message?: string, failed = 2) =>
  job({
    failed,
    startTime: new Date('2026-12-02T10:00:00Z'),
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason,
        ...(message ? { message } : {}),
        lastTransitionTime: new Date('2026-12-02T10:05:00Z'),
      },
    ],
  });

describe('observeJob', () => {
  it('reads an active Job with its attempts, renditions and progress', () => {
    expect(
      observeJob(job({ active: 1, failed: 1, startTime: new Date('2026-12-02T10:00:00Z') }), 40),
    ).toEqual({
      name: 'tj-1-720p',
      type: 'rendition',
      renditions: ['720p'],
      attempts: 2,
      state: 'active',
      progress: 40,
      startedAt: new Date('2026-12-02T10:00:00Z'),
    });
  });

  it('reads a complete Job as succeeded', () => {
    expect(
      observeJob(job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] })),
    ).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it.each([
    [
      'PodFailurePolicy',
      'bad-input',
      'BadInput',
      /^the transcoder refused the input \(exit 2\): bad$/,
    ],
    ['DeadlineExceeded', 'deadline', 'DeadlineExceeded', /^bad$/],
    [
      'BackoffLimitExceeded',
      'transient',
      'RetriesExhausted',
      /^failed 2 time\(s\); retries exhausted$/,
    ],
    ['SomethingNew', 'unknown', 'WorkloadFailed', /^bad$/],
  ])('a Job failed with %s is %s, reported as %s', (jobReason, kind, conditionReason, message) => {
    const observed = observeJob(failedWith(jobReason, 'bad'));
    expect(observed).toMatchObject({
      state: 'failed',
      failure: { kind },
      completedAt: new Date('2026-12-02T10:05:00Z'),
    });
    expect(observed?.failure?.message).toMatch(message);
    expect(failureReason(failureKindOf(jobReason))).toBe(conditionReason);
  });

  it('gives every failure kind its own condition reason', () => {
    const kinds = ['bad-input', 'deadline', 'transient', 'unknown'] as const;
    expect(new Set(kinds.map(failureReason)).size).toBe(kinds.length);
  });

  it('ignores Jobs that are not a workload this controller makes', () => {
    expect(observeJob(job({}, 'backup'))).toBeUndefined();
    expect(observeJob({ metadata: { name: 'x' } })).toBeUndefined();
  });
});
