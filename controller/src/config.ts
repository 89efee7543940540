import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  DatabaseEnv,
  LoggingEnv,
  QueueEnv,
  StorageEnv,
  withAdapterRequirements,
} from '@videoforge/platform/config';
import {
  AutoStrategy,
  CodecFamiliesSetting,
  DEFAULT_CHUNK_MAX_PARALLEL,
  DEFAULT_CHUNK_MIN_SECONDS,
  DEFAULT_CODEC_FAMILIES,
} from '@videoforge/contracts';

/** An environment variable holding JSON, validated by `schema`. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const Quantity = z
  .string()
  .regex(/^[0-9.]+[a-zA-Z]*$/, 'must be a Kubernetes quantity like 500m or 2Gi');
const Resources = z.record(
  z.string(),
  z.object({
    requests: z.record(z.string(), Quantity).optional(),
    limits: z.record(z.string(), Quantity).optional(),
  }),
);
const Toleration = z.object({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** Requests per rendition: x264 at these sizes on veryfast, measured roughly; limits leave headroom. */
const DEFAULT_RESOURCES = {
  default: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
  '2160p': { requests: { cpu: '4', memory: '4Gi' }, limits: { memory: '6Gi' } },
  '1080p': { requests: { cpu: '2', memory: '2Gi' }, limits: { memory: '3Gi' } },
  ladder: { requests: { cpu: '4', memory: '4Gi' }, limits: { memory: '6Gi' } },
  finalize: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
};

function inClusterNamespace(): string | undefined {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Everything the operator (`node controller/src/main.ts`) reads from its environment. */
export const ControllerConfig = withAdapterRequirements(
  z.object({
    ...LoggingEnv,
    ...DatabaseEnv,
    ...QueueEnv,
    ...StorageEnv,
    KUBE_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .default(() => inClusterNamespace() ?? 'videoforge'),
    /** This replica's identity in the leader Lease (the pod name in a Deployment). */
    POD_NAME: z
      .string()
      .min(1)
      .default(() => hostname()),
    /**
     * Reconcile passes in flight at once, each on a different TranscodeJob. A pass is
     * mostly waiting on the API server and Postgres, so this is what bounds throughput
     * (bench/controller).
     */
    RECONCILE_WORKERS: z.coerce.number().int().min(1).max(256).default(32),
    LEADER_ELECTION: z.stringbool().default(true),
    LEASE_NAME: z.string().default('videoforge-controller'),
    METRICS_HOST: z.string().default('127.0.0.1'),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9090),
    TRANSCODER_IMAGE: z.string().min(1).default('videoforge/transcoder:latest'),
    TRANSCODER_IMAGE_PULL_POLICY: z
      .enum(['Always', 'IfNotPresent', 'Never'])
      .default('IfNotPresent'),
    TRANSCODER_COMMAND: json(z.array(z.string().min(1)).min(1)).default(['videoforge-transcode']),
    TRANSCODER_SERVICE_ACCOUNT: z.string().optional(),
    TRANSCODER_ENV_CONFIGMAP: z.string().optional(),
    TRANSCODER_ENV_SECRET: z.string().optional(),
    /** Assumed per Job with a session policy scoped to that Job (docs/deploy.md); unset: off. */
    TRANSCODER_ROLE_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/)
      .optional(),
    /** For an STS-compatible test server; leave unset for AWS. */
    STS_ENDPOINT: z.url().optional(),
    /**
     * What `strategy: auto` runs as. perRendition spreads renditions over nodes; ladder (one
     * decode for every rendition) wins once one transcode node can run the whole ladder.
     */
    TRANSCODE_AUTO_STRATEGY: AutoStrategy.default('perRendition'),
    /**
     * The shortest title (seconds, from the upload's probe) that `strategy: auto` cuts into
     * chunks, one Job each (docs/operator.md, "Which strategy runs").
     */
    TRANSCODE_CHUNK_MIN_SECONDS: z.coerce
      .number()
      .min(0)
      .max(604_800)
      .default(DEFAULT_CHUNK_MIN_SECONDS),
    /** How many chunks such a title is cut into, all running at once; 1 turns automatic chunking off. */
    TRANSCODE_CHUNK_MAX_PARALLEL: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(DEFAULT_CHUNK_MAX_PARALLEL),
    /** Codec families of a job that names none, e.g. `h264,av1` (contracts' one spelling). */
    TRANSCODE_CODECS: CodecFamiliesSetting.default([...DEFAULT_CODEC_FAMILIES]),
    TRANSCODE_NODE_SELECTOR: json(z.record(z.string(), z.string())).default({
      'videoforge.io/node-group': 'transcode',
    }),
    TRANSCODE_TOLERATIONS: json(z.array(Toleration)).default([
      { key: 'videoforge.io/transcode', operator: 'Exists', effect: 'NoSchedule' },
    ]),
    TRANSCODE_AFFINITY: json(z.record(z.string(), z.unknown())).optional(),
    TRANSCODE_RESOURCES: json(Resources).default(DEFAULT_RESOURCES),
    TRANSCODE_ACTIVE_DEADLINE_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 3600),
    TRANSCODE_TTL_SECONDS_AFTER_FINISHED: z.coerce.number().int().min(0).default(3600),
    /** /tmp size limit and ephemeral-storage limit of a transcode pod (renditions may override). */
    TRANSCODE_SCRATCH_SIZE_LIMIT: Quantity.default('20Gi'),
  }),
);
export type ControllerConfig = z.infer<typeof ControllerConfig>;
