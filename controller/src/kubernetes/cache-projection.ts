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

/** A Job as the controller observes it: labels, annotations, owner and status; no spec. */
export function compactJob(job: V1Job): V1Job {
  return {
    ...(job.apiVersion ? { apiVersion: job.apiVersion } : {}),
    ...(job.kind ? { kind: job.kind } : {}),
    metadata: compactMetadata(job.metadata),
    ...(job.status ? { status: job.status } : {}),
  };
}
