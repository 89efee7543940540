import { describe, expect, it } from 'vitest';
import { compactJob, compactTranscodeJob } from './cache-projection.ts';

const managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }];

describe('what the informer caches keep', () => {
  it('a TranscodeJob: spec, status and the metadata a pass reads; not labels, annotations or managedFields', () => {
    const resource = {
      apiVersion: 'videoforge.io/v1alpha1',
      kind: 'TranscodeJob',
      metadata: {
        name: 'job-7',
        namespace: 'vf',
        uid: 'u-7',
        resourceVersion: '42',
        generation: 2,
        creationTimestamp: '2026-11-29T09:00:00Z',
        finalizers: ['videoforge.io/cleanup'],
        deletionTimestamp: '2026-11-29T10:00:00Z',
        labels: { team: 'video' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"a huge":"copy"}',
          note: 'not read',
        },
        managedFields,
      },
      spec: { jobId: '7', renditions: [{ name: '720p', height: 720, videoBitrate: '2800k' }] },
      status: {
        phase: 'Running',
        progress: 40,
        conditions: [{ type: 'Ready', status: 'False', reason: 'Transcoding' }],
      },
    };
    const compact = compactTranscodeJob(resource as never) as typeof resource;
    const {
      managedFields: _managedFields,
      annotations: _annotations,
      labels: _labels,
      creationTimestamp: _creationTimestamp,
      ...expectedMetadata
    } = resource.metadata;
    expect(compact).toEqual({ ...resource, metadata: expectedMetadata });
    // Fresh objects, not edited in place
    expect(compact.metadata).not.toBe(resource.metadata);
    expect(compact.status).not.toBe(resource.status);
    expect(resource.metadata.managedFields).toBe(managedFields);
  });

  it('a Job: who it is, its labels, owners and status as the controller reads them; never its spec', () => {
    const condition = {
      type: 'Failed',
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
      lastTransitionTime: '2026-11-29T10:00:00Z',
    };
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'job-7-720p',
        namespace: 'vf',
        uid: 'j-7',
        resourceVersion: '43',
        generation: 1,
        creationTimestamp: '2026-11-29T09:00:00Z',
        labels: { 'videoforge.io/workload-type': 'rendition' },
        annotations: { 'videoforge.io/renditions': '720p' },
        ownerReferences: [
          {
            apiVersion: 'videoforge.io/v1alpha1',
            kind: 'TranscodeJob',
            name: 'job-7',
            uid: 'u-7',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        managedFields,
      },
      spec: { template: { spec: { containers: [{ name: 'transcode', image: 'x' }] } } },
      status: {
        active: 0,
        ready: 0,
        failed: 3,
        terminating: 0,
        uncountedTerminatedPods: {},
        startTime: '2026-11-29T09:00:01Z',
        conditions: [{ ...condition, lastProbeTime: '2026-11-29T10:00:00Z' }],
      },
    };
    expect(compactJob(job as never)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'job-7-720p',
        namespace: 'vf',
        uid: 'j-7',
        resourceVersion: '43',
        labels: job.metadata.labels,
        annotations: job.metadata.annotations,
        ownerReferences: [
          {
            apiVersion: 'videoforge.io/v1alpha1',
            kind: 'TranscodeJob',
            name: 'job-7',
            uid: 'u-7',
            controller: true,
          },
        ],
      },
      status: {
        active: 0,
        ready: 0,
        failed: 3,
        startTime: '2026-11-29T09:00:01Z',
        conditions: [condition],
      },
    });
  });
});
