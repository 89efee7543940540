import type { KubernetesObject, V1Job, V1ObjectMeta } from '@kubernetes/client-node';

/** kubectl apply's copy of the whole object, as an annotation. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What the informer caches keep of each object. The caches hold every object for the
 * process's lifetime, so they keep only what the controller reads, in fresh objects:
 * deleting fields in place instead would turn each object into V8's slower, larger
 * dictionary layout.
 */
function compactMetadata(metadata: V1ObjectMeta | undefined): V1ObjectMeta {
  // managedFields is often most of an object's size and is never read.
  const { managedFields, annotations, ...kept } = metadata ?? {};
  if (annotations) {
    const { [LAST_APPLIED]: lastApplied, ...rest } = annotations;
    if (Object.keys(rest).length > 0) return { ...kept, annotations: rest };
  }
  return kept;
}

/** A TranscodeJob as the controller reads it: metadata, spec and status. */
export function compactTranscodeJob<
  T extends KubernetesObject & { spec?: unknown; status?: unknown },
>(resource: T): T {
  return {
    ...resource,
    metadata: compactMetadata(resource.metadata),
  };
}

/**
 * A Job as the controller observes it (job-observer.ts, owned-workloads.ts, the owner
 * index, the credential Secrets): who it is, our labels and annotations, its owners and
 * the counts, times and conditions of its status. Not its spec, nor what the Job
 * controller keeps for itself (uncountedTerminatedPods, terminating, indexes): with two
 * or more Jobs per TranscodeJob these are most of the cache, ~600 bytes each this way
 * against ~850 with the whole metadata and status.
 */
export function compactJob(job: V1Job): V1Job {
  const metadata = job.metadata ?? {};
  const { status } = job;
  return {
    ...(job.apiVersion ? { apiVersion: job.apiVersion } : {}),
    ...(job.kind ? { kind: job.kind } : {}),
    metadata: {
      ...pick(metadata, ['name', 'namespace', 'uid', 'resourceVersion', 'labels']),
      ...pick(compactMetadata(metadata), ['annotations']),
      ...(metadata.ownerReferences
        ? {
            ownerReferences: metadata.ownerReferences.map((owner) =>
              pick(owner, ['apiVersion', 'kind', 'name', 'uid', 'controller']),
            ),
          }
        : {}),
    },
    ...(status
      ? {
          status: {
            ...pick(status, [
              'active',
              'ready',
              'succeeded',
              'failed',
              'startTime',
              'completionTime',
            ]),
            ...(status.conditions
              ? {
                  conditions: status.conditions.map((condition) =>
                    pick(condition, ['type', 'status', 'reason', 'message', 'lastTransitionTime']),
                  ),
                }
              : {}),
          },
        }
      : {}),
  };
}

/** The `keys` of `object` that are set, in a fresh object. */
function pick<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Pick<T, K> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (object[key] !== undefined) picked[key] = object[key];
  return picked as Pick<T, K>;
}
