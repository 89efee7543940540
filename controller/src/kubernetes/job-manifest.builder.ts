import type {
  V1Affinity,
  V1EnvVar,
  V1Job,
  V1ResourceRequirements,
  V1Toleration,
} from '@kubernetes/client-node';
import {
  DEFAULT_CODEC_FAMILIES,
  encodeCostFactor,
  outputPrefixFor,
  toArgv,
  TRANSCODER_EXIT,
  TRANSCODE_JOB_GROUP,
  TRANSCODE_JOB_KIND,
  TRANSCODE_JOB_VERSION,
  type CodecFamily,
  type TranscodeJobResource,
  type TranscodeJobSpec,
  type TranscoderInvocation,
} from '@videoforge/contracts';
import { jobCredentialsEnv, JOB_CREDENTIALS_MOUNT } from '@videoforge/platform/storage';
import type { WorkloadRequest } from '../reconcile/workload.ts';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  transcodeRenditions: 'videoforge.io/transcodejob',
  workloadType: 'videoforge.io/workload-type',
  renditions: 'videoforge.io/renditions',
} as const;
export const MANAGED_BY = 'videoforge-controller';
const SCRATCH_VOLUME = 'scratch';
const CREDENTIALS_VOLUME = 'storage-credentials';
export const CONTAINER_NAME = 'transcode';
/**
 * The scratch emptyDir's size limit and the ephemeral-storage request and limit of a
 * transcode pod, unless its rendition's resources name `ephemeral-storage` themselves. A pod
 * past its limit is evicted instead of filling the node's disk for every other pod.
 */
export const DEFAULT_SCRATCH_SIZE_LIMIT = '20Gi';
const EPHEMERAL_STORAGE = 'ephemeral-storage';

export interface JobTemplateSettings {
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** The transcoder's entrypoint; args are added per workload. */
  command: string[];
  serviceAccountName?: string;
  /** The transcode node group. */
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  affinity?: V1Affinity;
  /** Resources by rendition name, with 'default', 'ladder' and 'finalize' entries. */
  resources: Record<string, V1ResourceRequirements>;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
  /** Literal environment for the transcoder (storage driver, bucket, endpoint…). */
  env: V1EnvVar[];
  /** ConfigMap / Secret whose keys become environment variables (e.g. credentials). */
  envFromConfigMap?: string;
  envFromSecret?: string;
  /** Size of /tmp and the pod's ephemeral storage (DEFAULT_SCRATCH_SIZE_LIMIT when unset). */
  scratchSizeLimit?: string;
  /**
   * The pod reads storage with per-Job credentials from the Secret the controller writes
   * for it (jobCredentialsSecretName), never with a key of its own (docs/deploy.md).
   */
  perJobCredentials?: boolean;
}

/** The Secret holding a batch Job's storage credentials, mounted by its pod. */
export function jobCredentialsSecretName(jobName: string): string {
  return `${jobName}-storage`;
}

/**
 * A rendition's resources with ephemeral storage bounded: the rendition's own `ephemeral-storage`
 * limit (or the scratch size) is the limit, its request defaults to that limit (the
 * scheduler then places the pod only where the space is), and the scratch emptyDir gets
 * the same size limit.
 */
export function scratchResources(
  resources: V1ResourceRequirements,
  scratchSizeLimit: string,
): { resources: V1ResourceRequirements; sizeLimit: string } {
  const sizeLimit = resources.limits?.[EPHEMERAL_STORAGE] ?? scratchSizeLimit;
  return {
    sizeLimit,
    resources: {
      ...resources,
      requests: {
        ...resources.requests,
        [EPHEMERAL_STORAGE]: resources.requests?.[EPHEMERAL_STORAGE] ?? sizeLimit,
      },
      limits: { ...resources.limits, [EPHEMERAL_STORAGE]: sizeLimit },
    },
  };
}

/**
 * A rendition's resources for encoding it in `families`: its CPU request (and limit, if set)
 * times the families' encode cost relative to H.264 (contracts' FAMILY_ENCODE_COST), so
 * an h264+av1 pod is placed where it will not starve. H.264 alone leaves them as configured.
 */
export function withCodecCost(
  resources: V1ResourceRequirements,
  families: readonly CodecFamily[],
): V1ResourceRequirements {
  const factor = encodeCostFactor(families);
  if (factor === 1) return resources;
  const scale = (map: Record<string, string> | undefined) => {
    const cpu = map?.cpu;
    if (!map || cpu === undefined) return map;
    return { ...map, cpu: `${Math.round(cpuMillicores(cpu) * factor)}m` };
  };
  const requests = scale(resources.requests);
  const limits = scale(resources.limits);
  return {
    ...resources,
    ...(requests ? { requests } : {}),
    ...(limits ? { limits } : {}),
  };
}

/** A Kubernetes CPU quantity ("2", "1.5", "500m") in millicores. */
function cpuMillicores(quantity: string): number {
  const value = quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
  if (!Number.isFinite(value) || value < 0) throw new Error(`not a CPU quantity: ${quantity}`);
  return value;
}

/** The transcoder invocation for one workload; `toArgv` (contracts) makes its argv. */
export function transcoderInvocation(
  spec: TranscodeJobSpec,
  jobId: string,
  outputPrefix: string,
  request: WorkloadRequest,
): TranscoderInvocation {
  const work = { source: { kind: 'key' as const, key: spec.source.key }, jobId, outputPrefix };
  const hdr = spec.hdr ? { hdr: true } : {};
  const codecs = spec.codecs ? { codecs: spec.codecs } : {};
  switch (request.type) {
    case 'rendition': {
      const r = request.rendition;
      return {
        command: 'rendition',
        ...work,
        rendition: r.name,
        height: r.height,
        videoBitrate: r.videoBitrate,
        ...(r.audioBitrate ? { audioBitrate: r.audioBitrate } : {}),
        ...hdr,
        ...codecs,
      };
    }
    case 'ladder':
      return {
        command: 'ladder',
        ...work,
        renditions: request.renditions.map((r) => r.name),
        ...hdr,
        ...codecs,
      };
    case 'tracks':
      return {
        command: 'tracks',
        ...work,
        ...(request.audioBitrate ? { audioBitrate: request.audioBitrate } : {}),
      };
    case 'chunk':
      return {
        command: 'chunk',
        ...work,
        renditions: request.renditions.map((r) => r.name),
        ...codecs,
        chunkIndex: request.chunk.index,
        startSegment: request.chunk.startSegment,
        segmentCount: request.chunk.segmentCount,
        segmentSeconds: request.segmentSeconds,
      };
    case 'stitch':
      return {
        command: 'stitch',
        ...work,
        renditions: request.renditions.map((r) => r.name),
        chunks: request.chunks,
      };
    case 'finalize':
      return { command: 'finalize', ...work, renditions: request.renditions };
  }
}

/** The transcoder's argv for one workload, as a Kubernetes Job or a local child runs it. */
export function transcoderArgs(
  spec: TranscodeJobSpec,
  jobId: string,
  outputPrefix: string,
  request: WorkloadRequest,
): string[] {
  return toArgv(transcoderInvocation(spec, jobId, outputPrefix, request));
}

/** Job id and output prefix a TranscodeJob works under (hand-made ones may omit them). */
export function workIdentity(
  resource: TranscodeJobResource,
  spec: TranscodeJobSpec,
): { jobId: string; outputPrefix: string } {
  const jobId = spec.jobId ?? resource.metadata.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return { jobId, outputPrefix: spec.outputPrefix ?? outputPrefixFor(jobId) };
}

/**
 * One batch/v1 Job for one workload. Retries are the Job's own (backoffLimit =
 * maxRetries); bad input (exit 2) fails the Job at once through the pod failure
 * policy, and an evicted pod does not count against the retries.
 */
export function buildJobManifest(
  resource: TranscodeJobResource,
  spec: TranscodeJobSpec,
  request: WorkloadRequest,
  settings: JobTemplateSettings,
): V1Job {
  const { jobId, outputPrefix } = workIdentity(resource, spec);
  const renditionNames =
    request.type === 'rendition'
      ? [request.rendition.name]
      : request.type === 'ladder' || request.type === 'chunk'
        ? request.renditions.map((r) => r.name)
        : [];
  const resourceKey = request.type === 'rendition' ? request.rendition.name : request.type;
  const configured = settings.resources[resourceKey] ?? settings.resources.default ?? {};
  const scratch = scratchResources(
    request.type === 'rendition' || request.type === 'ladder' || request.type === 'chunk'
      ? withCodecCost(configured, spec.codecs ?? DEFAULT_CODEC_FAMILIES)
      : configured,
    settings.scratchSizeLimit ?? DEFAULT_SCRATCH_SIZE_LIMIT,
  );
  const labels = {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.transcodeRenditions]: resource.metadata.name,
    [LABELS.workloadType]: request.type,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: request.name,
      ...(resource.metadata.namespace ? { namespace: resource.metadata.namespace } : {}),
      labels,
      annotations: { [LABELS.renditions]: renditionNames.join(',') },
      ownerReferences: [
        {
          apiVersion: `${TRANSCODE_JOB_GROUP}/${TRANSCODE_JOB_VERSION}`,
          kind: TRANSCODE_JOB_KIND,
          name: resource.metadata.name,
          uid: resource.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      backoffLimit: request.type === 'finalize' ? Math.max(spec.maxRetries, 1) : spec.maxRetries,
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      podFailurePolicy: {
        rules: [
          {
            action: 'FailJob',
            onExitCodes: {
              containerName: CONTAINER_NAME,
              operator: 'In',
              values: [TRANSCODER_EXIT.badInput],
            },
          },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // Transcoding needs no Kubernetes API: no token in the pod at all.
          automountServiceAccountToken: false,
          // Pod Security Standard "restricted": the chart labels the namespace to enforce it.
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          ...(settings.serviceAccountName
            ? { serviceAccountName: settings.serviceAccountName }
            : {}),
          nodeSelector: settings.nodeSelector,
          tolerations: settings.tolerations,
          ...(settings.affinity ? { affinity: settings.affinity } : {}),
          containers: [
            {
              name: CONTAINER_NAME,
              image: settings.image,
              ...(settings.imagePullPolicy ? { imagePullPolicy: settings.imagePullPolicy } : {}),
              command: settings.command,
              args: transcoderArgs(spec, jobId, outputPrefix, request),
              // The log tail (the transcoder's JSON events) becomes a failing container's
              // termination message: where the controller reads the typed failure reason.
              terminationMessagePolicy: 'FallbackToLogsOnError',
              env: settings.perJobCredentials
                ? [
                    ...settings.env,
                    ...Object.entries(jobCredentialsEnv).map(([name, value]) => ({ name, value })),
                  ]
                : settings.env,
              ...(settings.envFromConfigMap || settings.envFromSecret
                ? {
                    envFrom: [
                      ...(settings.envFromConfigMap
                        ? [{ configMapRef: { name: settings.envFromConfigMap } }]
                        : []),
                      ...(settings.envFromSecret
                        ? [{ secretRef: { name: settings.envFromSecret } }]
                        : []),
                    ],
                  }
                : {}),
              resources: scratch.resources,
              // The root filesystem stays read-only; ffmpeg's scratch files go to the pod's own disk.
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [
                { name: SCRATCH_VOLUME, mountPath: '/tmp' },
                ...(settings.perJobCredentials
                  ? [{ name: CREDENTIALS_VOLUME, mountPath: JOB_CREDENTIALS_MOUNT, readOnly: true }]
                  : []),
              ],
            },
          ],
          volumes: [
            { name: SCRATCH_VOLUME, emptyDir: { sizeLimit: scratch.sizeLimit } },
            // A volume, not env or subPath: the kubelet swaps in the renewed credentials.
            ...(settings.perJobCredentials
              ? [
                  {
                    name: CREDENTIALS_VOLUME,
                    secret: { secretName: jobCredentialsSecretName(request.name) },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };
}
