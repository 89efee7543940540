import { z } from 'zod';
import { RenditionName, RenditionSpec } from './renditions.ts';
import { CodecFamilies } from './codec-families.ts';
import { RenditionQuality, TwinQuality } from './rendition-quality.ts';
import { VideoProcessing } from './video-processing.ts';

/**
 * The TranscodeJob custom resource (transcodejobs.videoforge.io/v1alpha1). The CRD in
 * crds/ is the single source of the schema; these validators mirror it, and
 * controller/src/resource/crd-agreement.test.ts proves they agree.
 */
export const TRANSCODE_JOB_GROUP = 'videoforge.io';
export const TRANSCODE_JOB_VERSION = 'v1alpha1';
export const TRANSCODE_JOB_PLURAL = 'transcodejobs';
export const TRANSCODE_JOB_KIND = 'TranscodeJob';
/** The controller's finalizer: it removes a deleted job's partial outputs first. */
export const TRANSCODE_JOB_FINALIZER = 'videoforge.io/cleanup';

const NumericId = z
  .string()
  .regex(/^[0-9]+$/)
  .max(20);

/**
 * How a TranscodeJob's work is cut into workloads. `auto` lets the runtime choose from
 * where the work runs and how long the title is (see `resolveStrategy`); `chunked`
 * splits the timeline (see chunk-plan.ts).
 */
export const TranscodeJobStrategy = z.enum(['auto', 'perRendition', 'ladder', 'chunked']);
export type TranscodeJobStrategy = z.infer<typeof TranscodeJobStrategy>;
export const WorkloadStrategy = z.enum(['perRendition', 'ladder', 'chunked']);
export type WorkloadStrategy = z.infer<typeof WorkloadStrategy>;
/** What `auto` resolves to for a title too short to chunk (or where chunks cannot spread). */
export const AutoStrategy = z.enum(['perRendition', 'ladder']);
export type AutoStrategy = z.infer<typeof AutoStrategy>;

/**
 * `spec.chunking`: how the chunked strategy cuts the timeline. The controller's queue
 * intake fills `durationSeconds` from the probe made when the upload completed (the
 * video row's duration) and `maxParallel` from TRANSCODE_CHUNK_MAX_PARALLEL.
 */
export const ChunkingSpec = z.object({
  /** Chunk workloads running at once; also the number of chunks when `chunkSeconds` is absent. */
  maxParallel: z.number().int().min(1).max(64).default(4),
  /** Target chunk length, rounded to whole segments; absent: the duration over maxParallel. */
  chunkSeconds: z.number().int().min(1).max(3600).optional(),
  /** The source's duration in seconds, as probed when the upload completed. */
  durationSeconds: z.number().min(0).max(604_800).optional(),
});
export type ChunkingSpec = z.infer<typeof ChunkingSpec>;

/** The chunks a job of `strategy: auto` is cut into when it is long enough (TRANSCODE_CHUNK_MAX_PARALLEL). */
export const DEFAULT_CHUNK_MAX_PARALLEL = 4;
/**
 * The shortest title `strategy: auto` chunks (TRANSCODE_CHUNK_MIN_SECONDS). Below about
 * ten minutes the chunks' fixed costs (a probe, a seek, an encoder start each, and the
 * stitch) weigh more than the wait they save (docs/operator.md, "Chunked benchmark").
 */
export const DEFAULT_CHUNK_MIN_SECONDS = 600;

/** What a job brings to the choice of strategy besides what it asked for. */
export interface StrategyInputs {
  /** Whether the runtime spreads chunks over machines; one machine gains nothing from them. */
  runsChunks: boolean;
  /** The shortest title `auto` chunks; absent: `auto` never chunks. */
  chunkMinSeconds?: number | undefined;
  /** The spec's `chunking` (its duration and how many chunks it may run at once). */
  chunking?: Pick<ChunkingSpec, 'maxParallel' | 'durationSeconds'> | undefined;
  /** HDR twins are made by the ladder and per-rendition workloads, not by chunks. */
  hdr?: boolean | undefined;
}

/**
 * The strategy a job runs with.
 * - One machine running every rendition (all-in-one, or a cluster whose transcode nodes
 *   are big enough for the whole ladder) wins with the decode-once ladder: the source is
 *   decoded and scaled from once instead of once per rendition.
 * - Spreading renditions over nodes (perRendition) wins when no single node can run them
 *   all at once.
 * - A long title (`auto`, duration ≥ `chunkMinSeconds`, at least two chunks allowed, no HDR
 *   set asked for) on a runtime that spreads chunks is cut into chunks: time to ready is
 *   then the slowest chunk's encode plus the stitch instead of the whole title's.
 */
export function resolveStrategy(
  requested: TranscodeJobStrategy,
  auto: AutoStrategy,
  inputs: StrategyInputs = { runsChunks: true },
): WorkloadStrategy {
  if (requested === 'auto') return autoChunks(inputs) ? 'chunked' : auto;
  // On one machine (the local runtime) chunks only add seeks and a stitch: the
  // decode-once ladder is the fastest way to the same outputs there.
  if (requested === 'chunked' && !inputs.runsChunks) return 'ladder';
  return requested;
}

function autoChunks({ runsChunks, chunkMinSeconds, chunking, hdr }: StrategyInputs): boolean {
  const duration = chunking?.durationSeconds;
  return (
    runsChunks &&
    hdr !== true &&
    chunkMinSeconds !== undefined &&
    duration !== undefined &&
    duration >= chunkMinSeconds &&
    (chunking?.maxParallel ?? DEFAULT_CHUNK_MAX_PARALLEL) >= 2
  );
}

export const TranscodeJobSpec = z.object({
  jobId: NumericId.optional(),
  videoId: NumericId.optional(),
  source: z.object({
    bucket: z
      .string()
      .min(3)
      .max(63)
      .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/),
    key: z.string().min(1).max(1024),
  }),
  renditions: z
    .array(RenditionSpec)
    .min(1)
    .max(5)
    .refine(
      (list) => new Set(list.map((r) => r.name)).size === list.length,
      'rendition names must be unique',
    ),
  outputPrefix: z.string().min(1).max(512).endsWith('/').optional(),
  priority: z.number().int().min(-100).max(100).default(0),
  maxRetries: z.number().int().min(0).max(10).default(2),
  strategy: TranscodeJobStrategy.default('auto'),
  /** The chunked strategy's cut of the timeline; needs `durationSeconds` there. */
  chunking: ChunkingSpec.optional(),
  /** Also an HDR set (HEVC Main10, PQ/HLG kept) beside the SDR ladder when the source is HDR; absent: no. */
  hdr: z.boolean().optional(),
  /** Codec families to encode every rendition in (h264 always); absent: the controller's TRANSCODE_CODECS. */
  codecs: CodecFamilies.optional(),
  cancel: z.boolean().optional(),
});
export type TranscodeJobSpec = z.infer<typeof TranscodeJobSpec>;

export const Phase = z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled']);
export type Phase = z.infer<typeof Phase>;

export const RenditionStatus = z.object({
  name: RenditionName,
  phase: Phase,
  workload: z.string().max(253).optional(),
  attempts: z.number().int().min(0).optional(),
  progress: z.number().int().min(0).max(100).optional(),
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  outputKey: z.string().max(1024).optional(),
  bytes: z.number().int().min(0).optional(),
  /** Measured SSIM/PSNR of the (H.264, SDR) rendition against its source, once done. */
  quality: RenditionQuality.optional(),
  /** Measured SSIM/PSNR of its twins (other codec families; the HDR twin in the PQ/HLG domain). */
  twins: z.array(TwinQuality).max(8).optional(),
  message: z.string().max(32768).optional(),
});
export type RenditionStatus = z.infer<typeof RenditionStatus>;

/**
 * The audio and subtitle tracks' workload: the `tracks` Job (per rendition) or the
 * ladder Job that encodes them too. Which tracks came out (and which were skipped, with
 * why) is in `{outputPrefix}tracks/tracks.json` and `GET /api/videos/:id/tracks`.
 */
export const TracksStatus = z.object({
  phase: Phase,
  workload: z.string().max(253).optional(),
  attempts: z.number().int().min(0).optional(),
  message: z.string().max(32768).optional(),
});
export type TracksStatus = z.infer<typeof TracksStatus>;

/** The chunked strategy's chunks, compact: counts, and the chunks that failed or retried. */
export const ChunksStatus = z.object({
  total: z.number().int().min(0).max(100_000),
  succeeded: z.number().int().min(0).max(100_000),
  running: z.number().int().min(0).max(100_000),
  /** Chunk indexes that failed for good, or needed more than one attempt. */
  failed: z.array(z.number().int().min(0)).max(64).optional(),
  retried: z.array(z.number().int().min(0)).max(64).optional(),
  /** e.g. "3/8", for the CHUNKS column. */
  summary: z
    .string()
    .regex(/^[0-9]+\/[0-9]+$/)
    .max(16)
    .optional(),
});
export type ChunksStatus = z.infer<typeof ChunksStatus>;

export const ConditionType = z.enum(['Ready', 'Progressing', 'Failed']);
export const Condition = z.object({
  type: z.string().max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().max(1024).optional(),
  message: z.string().max(32768).optional(),
  lastTransitionTime: z.iso.datetime(),
  observedGeneration: z.number().int().min(0).optional(),
});
export type Condition = z.infer<typeof Condition>;

export const TranscodeJobStatus = z.object({
  phase: Phase.optional(),
  progress: z.number().int().min(0).max(100).optional(),
  renditionsSummary: z
    .string()
    .regex(/^[0-9]+\/[0-9]+$/)
    .max(16)
    .optional(),
  /** The strategy chosen for `auto` when the job started; kept so it never changes midway. */
  strategy: WorkloadStrategy.optional(),
  /** What the transcoder did to the picture (HDR tone mapping, deinterlacing). */
  video: VideoProcessing.optional(),
  /**
   * When the first rendition had its first segments in storage (a player could start), or,
   * for a job that published nothing while running, when its first rendition finished.
   */
  playableAt: z.iso.datetime().optional(),
  observedGeneration: z.number().int().min(0).optional(),
  renditions: z.array(RenditionStatus).max(5).optional(),
  tracks: TracksStatus.optional(),
  chunks: ChunksStatus.optional(),
  conditions: z.array(Condition).max(16).optional(),
});
export type TranscodeJobStatus = z.infer<typeof TranscodeJobStatus>;

export const TranscodeJobResource = z.object({
  apiVersion: z.literal(`${TRANSCODE_JOB_GROUP}/${TRANSCODE_JOB_VERSION}`),
  kind: z.literal(TRANSCODE_JOB_KIND),
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    generation: z.number().int().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
    deletionTimestamp: z.string().optional(),
    creationTimestamp: z.string().optional(),
  }),
  spec: TranscodeJobSpec,
  status: TranscodeJobStatus.optional(),
});
export type TranscodeJobResource = z.infer<typeof TranscodeJobResource>;

/** The resource name for a Postgres job id: deterministic, so intake is idempotent. */
export function transcodeJobName(jobId: string): string {
  return `job-${jobId}`;
}
