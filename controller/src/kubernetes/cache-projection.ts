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

/** What a pass reads of a TranscodeJob's metadata (and the informer its resourceVersion). */
const TRANSCODE_JOB_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'finalizers',
  'deletionTimestamp',
  'ownerReferences',
] as const;

/**
 * A TranscodeJob as the controller reads it: the metadata a pass uses (not labels,
 * annotations or managedFields), spec and status, copied with their short strings shared
 * (see sharedStrings): ~1.4 KB cached each instead of ~1.9 KB.
 */
export function compactTranscodeJob<
  T extends KubernetesObject & { spec?: unknown; status?: unknown },
>(resource: T): T {
  const { metadata, spec, status, ...rest } = resource;
  return {
    ...rest,
    ...(rest.apiVersion ? { apiVersion: shared(rest.apiVersion) } : {}),
    ...(rest.kind ? { kind: shared(rest.kind) } : {}),
    metadata: pick(metadata ?? {}, TRANSCODE_JOB_METADATA),
    ...(spec === undefined ? {} : { spec: withSharedStrings(spec) }),
    ...(status === undefined ? {} : { status: withSharedStrings(status) }),
  } as T;
}

/**
 * One copy of each short string the cached objects repeat: the same condition reasons
 * and messages, phases, rendition names, bucket and timestamps recur in thousands of
 * TranscodeJobs, and JSON.parse gives each occurrence its own string. Long strings are
 * rarely repeated, and the pool starts over once it holds MAX_SHARED strings, so unique
 * values (names, ids) cannot grow it without bound.
 */
const MAX_SHARED_LENGTH = 40;
const MAX_SHARED = 4096;
const sharedStrings = new Map<string, string>();

function shared(value: string): string {
  if (value.length > MAX_SHARED_LENGTH) return value;
  const known = sharedStrings.get(value);
  if (known !== undefined) return known;
  if (sharedStrings.size >= MAX_SHARED) sharedStrings.clear();
  sharedStrings.set(value, value);
  return value;
}

/** A deep copy of JSON data with its short strings shared. */
function withSharedStrings<T>(value: T): T {
  if (typeof value === 'string') return shared(value) as T;
  if (Array.isArray(value)) return value.map(withSharedStrings) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = withSharedStrings(field);
  return copy as T;
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
  const { labels, annotations } = compactMetadata(metadata);
  const { status } = job;
  return {
    ...(job.apiVersion ? { apiVersion: shared(job.apiVersion) } : {}),
    ...(job.kind ? { kind: shared(job.kind) } : {}),
    metadata: {
      ...pick(metadata, ['name', 'uid', 'resourceVersion']),
      ...(metadata.namespace ? { namespace: shared(metadata.namespace) } : {}),
      ...(labels ? { labels: withSharedStrings(labels) } : {}),
      ...(annotations ? { annotations: withSharedStrings(annotations) } : {}),
      ...(metadata.ownerReferences
        ? {
            ownerReferences: metadata.ownerReferences.map((owner) => ({
              ...pick(owner, ['name', 'uid', 'controller']),
              apiVersion: shared(owner.apiVersion),
              kind: shared(owner.kind),
            })),
          }
        : {}),
    },
    ...(status
      ? {
          status: withSharedStrings({
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
          }),
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
