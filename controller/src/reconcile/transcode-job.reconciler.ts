import {
  DEFAULT_CHUNK_SEGMENT_SECONDS,
  planChunks,
  resolveStrategy,
  TRANSCODE_JOB_FINALIZER,
  TranscodeJobSpec,
  type AutoStrategy,
  type ChunksStatus,
  type WorkloadStrategy,
  type Condition,
  type Phase,
  type RenditionStatus,
  type TranscodeJobResource,
  type TranscodeJobStatus,
} from '@videoforge/contracts';
import { childName } from './child-name.ts';
import type { ObservedWorkload, WorkloadFailureKind, WorkloadRequest } from './workload.ts';

export interface KubeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What one reconcile pass decided; a runtime carries it out. */
export interface Decision {
  create: WorkloadRequest[];
  /** Names of workloads to stop and remove. */
  delete: string[];
  status: TranscodeJobStatus;
  /**
   * When nothing will notify us, look again after this long: while a workload's
   * progress is only polled (`progressPolled`), or while a deleted TranscodeJob waits
   * for its workloads to stop.
   */
  requeueAfterMs?: number;
  /**
   * A deleted TranscodeJob whose workloads have all stopped: run the external cleanup
   * (its outputs in storage), then remove the cleanup finalizer.
   */
  removeFinalizer?: true;
  events: KubeEvent[];
}

/**
 * What must change on the resource itself before its workloads are reconciled. A
 * runtime carries these out and, for a spec patch, waits for the update event.
 */
export type ResourceChange =
  /** Born without the cleanup finalizer: add it before any workload can write output. */
  | { type: 'addFinalizer' }
  /** Made by hand with kubectl: create its Postgres rows, then write spec.jobId and spec.videoId. */
  | { type: 'adopt' }
  /** Cancelled through the API: say so in spec.cancel, where kubectl users see it. */
  | { type: 'markCancelled' };

export function resourceChanges(
  job: TranscodeJobResource,
  facts: { cancelledThroughApi: boolean; canAdopt: boolean },
): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const deleting = Boolean(job.metadata.deletionTimestamp);
  if (!deleting && !(job.metadata.finalizers ?? []).includes(TRANSCODE_JOB_FINALIZER))
    changes.push({ type: 'addFinalizer' });
  const parsed = TranscodeJobSpec.safeParse(job.spec);
  if (!parsed.success || deleting) return changes;
  if (!parsed.data.jobId) {
    if (facts.canAdopt) changes.push({ type: 'adopt' });
  } else if (!parsed.data.cancel && facts.cancelledThroughApi) {
    changes.push({ type: 'markCancelled' });
  }
  return changes;
}

const FINALIZE = 'finalize';
const LADDER = 'ladder';
const TRACKS = 'tracks';
const STITCH = 'stitch';
/** Renditions carry 95 % of the progress bar; the finalize step the last 5 %. */
const RENDITION_SHARE = 95;
const ACTIVE_REQUEUE_MS = 5_000;
/** A deleted TranscodeJob waits this long between looks at its stopping workloads. */
const DELETION_REQUEUE_MS = 1_000;

/**
 * The pure core of the operator: the TranscodeJob and the workloads it owns in, the
 * actions and the new status out. Level-triggered: it never looks at what changed,
 * only at what is, so running it twice on the same world gives the same answer, and
 * status is rebuilt from the workloads on every pass (the previous status is read
 * only to keep conditions' lastTransitionTime stable).
 */
export function reconcileTranscodeJob(
  job: TranscodeJobResource,
  observed: ObservedWorkload[],
  now: Date,
  placement: Placement = { autoStrategy: 'perRendition' },
): Decision {
  const decision = reconcileWorkloads(job, observed, now, placement);
  if (
    !job.metadata.deletionTimestamp ||
    !(job.metadata.finalizers ?? []).includes(TRANSCODE_JOB_FINALIZER)
  )
    return decision;
  // Deleted: the cleanup may run only once nothing can write output any more.
  const { requeueAfterMs: _polled, ...rest } = decision;
  return observed.some((w) => w.state === 'active')
    ? { ...rest, requeueAfterMs: DELETION_REQUEUE_MS }
    : { ...rest, removeFinalizer: true };
}

/** What the runtime knows about where work runs, which decides `strategy: auto`. */
export interface Placement {
  /** `ladder` when one machine runs every rendition (all-in-one); `perRendition` to spread renditions over nodes. */
  autoStrategy: AutoStrategy;
  /**
   * Whether this runtime spreads a `chunked` job's chunks over machines. The local
   * runtime (one machine) does not: it runs such a job as the decode-once ladder.
   */
  runsChunks?: boolean;
  /** The chunked strategy's segment grid (the transcoders' TRANSCODE_SEGMENT_SECONDS); default 6. */
  segmentSeconds?: number;
  /**
   * The shortest title (spec.chunking.durationSeconds) that `strategy: auto` cuts into
   * chunks where chunks spread (TRANSCODE_CHUNK_MIN_SECONDS); absent: `auto` never chunks.
   */
  chunkMinSeconds?: number;
}

/** The job's strategy: fixed when it first ran, so a changed setting never splits its work midway. */
export function strategyOf(
  job: TranscodeJobResource,
  spec: TranscodeJobSpec,
  placement: Placement,
): WorkloadStrategy {
  return (
    job.status?.strategy ??
    resolveStrategy(spec.strategy, placement.autoStrategy, {
      runsChunks: placement.runsChunks === true,
      chunkMinSeconds: placement.chunkMinSeconds,
      chunking: spec.chunking,
      hdr: spec.hdr,
    })
  );
}

/**
 * A spec the controller cannot carry out: stop whatever runs and fail with the reason. The
 * Warning is recorded once, when the job first fails, not on every later pass.
 */
function invalidSpec(
  job: TranscodeJobResource,
  observed: readonly ObservedWorkload[],
  message: string,
  now: Date,
): Decision {
  const generation = job.metadata.generation ?? 0;
  return {
    create: [],
    delete: observed.filter((w) => w.state === 'active').map((w) => w.name),
    status: {
      phase: 'Failed',
      progress: 0,
      observedGeneration: generation,
      conditions: conditions(job.status?.conditions ?? [], now, generation, [
        ['Ready', 'False', 'InvalidSpec', message],
        ['Progressing', 'False', 'InvalidSpec', 'the spec is invalid; fix it to continue'],
        ['Failed', 'True', 'InvalidSpec', message],
      ]),
    },
    events:
      job.status?.phase === 'Failed' ? [] : [{ type: 'Warning', reason: 'InvalidSpec', message }],
  };
}

function reconcileWorkloads(
  job: TranscodeJobResource,
  observed: ObservedWorkload[],
  now: Date,
  placement: Placement,
): Decision {
  const generation = job.metadata.generation ?? 0;
  const previous = job.status?.conditions ?? [];
  const parsed = TranscodeJobSpec.safeParse(job.spec);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return invalidSpec(job, observed, message, now);
  }
  const spec = parsed.data;
  const name = job.metadata.name;
  const byName = new Map(observed.map((w) => [w.name, w]));
  const active = observed.filter((w) => w.state === 'active');

  const strategy = strategyOf(job, spec, placement);
  if (strategy === 'chunked' && spec.chunking?.durationSeconds === undefined)
    return invalidSpec(
      job,
      observed,
      'spec.chunking.durationSeconds: strategy chunked needs the source duration to cut the timeline',
      now,
    );
  const planned = plannedWorkloads(name, spec, strategy, placement.segmentSeconds);
  const { finalize } = planned;
  const chunked = strategy === 'chunked' ? chunkedProgress(planned, byName, spec) : undefined;
  const producers = chunked ? chunked.ready : planned.producers;
  const tracksName = childName(name, TRACKS);
  const tracksWorkload = strategy === 'ladder' ? undefined : byName.get(tracksName);
  const tracksDone = strategy === 'ladder' || tracksWorkload?.state === 'succeeded';

  const renditionStatuses = spec.renditions.map((rendition): RenditionStatus => {
    if (chunked) return chunked.rendition(rendition.name);
    const producer = producers.find((p) =>
      p.type === 'ladder' ? true : p.type === 'rendition' && p.rendition.name === rendition.name,
    );
    const workload = producer ? byName.get(producer.name) : undefined;
    return renditionStatus(rendition.name, workload);
  });
  const done = renditionStatuses.filter((r) => r.phase === 'Succeeded').length;
  const total = spec.renditions.length;
  const finalizeWorkload = byName.get(finalize.name);
  const failedWorkload = observed.find((w) => w.state === 'failed');
  const renditionProgress =
    renditionStatuses.reduce((sum, r) => sum + (r.progress ?? 0), 0) / total;
  const finalizeProgress = finalizeWorkload?.state === 'succeeded' ? 100 : 0;
  const progress = Math.floor(
    (renditionProgress * RENDITION_SHARE + finalizeProgress * (100 - RENDITION_SHARE)) / 100,
  );
  const summary = `${done}/${total}`;

  const tracksSource = strategy === 'ladder' ? byName.get(childName(name, LADDER)) : tracksWorkload;
  const tracksStatus = renditionStatus('tracks', tracksSource);
  const video = observed.find((w) => w.processing)?.processing;
  const playableAt =
    job.status?.playableAt ??
    firstPlayable(
      observed,
      renditionStatuses.some((r) => r.phase === 'Succeeded'),
      now,
    )?.toISOString();
  const base = {
    observedGeneration: generation,
    renditionsSummary: summary,
    strategy,
    ...(video ? { video } : {}),
    ...(playableAt ? { playableAt } : {}),
    renditions: renditionStatuses,
    ...(chunked ? { chunks: chunked.status } : {}),
    tracks: {
      phase: tracksStatus.phase,
      ...(tracksStatus.workload ? { workload: tracksStatus.workload } : {}),
      ...(tracksStatus.attempts !== undefined ? { attempts: tracksStatus.attempts } : {}),
      ...(tracksStatus.message ? { message: tracksStatus.message } : {}),
    },
  };

  if (spec.cancel || job.metadata.deletionTimestamp) {
    const reason = job.metadata.deletionTimestamp ? 'Deleted' : 'Cancelled';
    const cancelledRenditions = renditionStatuses.map((r) =>
      r.phase === 'Succeeded' || r.phase === 'Failed' ? r : { ...r, phase: 'Cancelled' as const },
    );
    return {
      create: [],
      delete: active.map((w) => w.name),
      status: {
        ...base,
        renditions: cancelledRenditions,
        phase: 'Cancelled',
        progress,
        conditions: conditions(previous, now, generation, [
          ['Ready', 'False', reason, 'the job was cancelled'],
          ['Progressing', 'False', reason, 'the job was cancelled'],
          ['Failed', 'False', reason, ''],
        ]),
      },
      events:
        active.length > 0
          ? [{ type: 'Normal', reason, message: `stopping ${active.length} workload(s)` }]
          : [],
    };
  }

  if (failedWorkload) {
    const failure = failedWorkload.failure ?? { kind: 'unknown', message: 'the workload failed' };
    const reason = failureReason(failure.kind);
    const message = `${failedWorkload.name}: ${failure.message}`;
    const alreadyFailed = job.status?.phase === 'Failed';
    return {
      create: [],
      // One failed rendition fails the job; stop the rest rather than burn compute.
      delete: active.map((w) => w.name),
      status: {
        ...base,
        phase: 'Failed',
        progress,
        conditions: conditions(previous, now, generation, [
          ['Ready', 'False', reason, message],
          ['Progressing', 'False', reason, message],
          ['Failed', 'True', reason, message],
        ]),
      },
      events: alreadyFailed ? [] : [{ type: 'Warning', reason, message }],
    };
  }

  if (finalizeWorkload?.state === 'succeeded') {
    return {
      create: [],
      delete: [],
      status: {
        ...base,
        phase: 'Succeeded',
        progress: 100,
        conditions: conditions(previous, now, generation, [
          ['Ready', 'True', 'Succeeded', `${total} rendition(s) ready`],
          ['Progressing', 'False', 'Succeeded', 'done'],
          ['Failed', 'False', 'Succeeded', ''],
        ]),
      },
      events:
        job.status?.phase === 'Succeeded'
          ? []
          : [
              {
                type: 'Normal',
                reason: 'Succeeded',
                message: `${total} rendition(s) and the master playlist are ready`,
              },
            ],
    };
  }

  // No Event for a started workload: the status names each one (renditions[].workload,
  // tracks.workload) and the Ready condition says Finalizing, and an Event is one more
  // API write per TranscodeJob for what `kubectl get tj -o yaml` already shows.
  const create: WorkloadRequest[] = producers.filter((producer) => !byName.has(producer.name));
  if (done === total && tracksDone && !finalizeWorkload) create.push(finalize);
  const started = observed.length > 0 || create.length > 0;
  const phase: Phase = observed.some((w) => w.state !== 'failed') ? 'Running' : 'Pending';
  return {
    create,
    delete: [],
    status: {
      ...base,
      phase,
      progress,
      conditions: conditions(previous, now, generation, [
        [
          'Ready',
          'False',
          done === total ? 'Finalizing' : 'Transcoding',
          `${summary} renditions done`,
        ],
        [
          'Progressing',
          started ? 'True' : 'False',
          done === total ? 'Finalizing' : 'Transcoding',
          `${progress}%`,
        ],
        ['Failed', 'False', 'Transcoding', ''],
      ]),
    },
    // Workload changes arrive as events; only polled progress needs a timer.
    ...(active.some((w) => w.progressPolled) ? { requeueAfterMs: ACTIVE_REQUEUE_MS } : {}),
    events: [],
  };
}

/** Audio is encoded once for every rendition, so the highest audio bit rate asked for wins. */
function highestAudioBitrate(
  renditions: readonly { audioBitrate?: string | undefined }[],
): string | undefined {
  const rates = renditions.flatMap((r) =>
    r.audioBitrate ? [Number.parseInt(r.audioBitrate, 10)] : [],
  );
  return rates.length > 0 ? `${Math.max(...rates)}k` : undefined;
}

/**
 * When a player could first start: the earliest first-segments moment any producer
 * reported, else (a strategy that publishes nothing while running, e.g. chunked) when
 * the first producer finished a rendition the master can list.
 */
function firstPlayable(
  observed: readonly ObservedWorkload[],
  aRenditionSucceeded: boolean,
  now: Date,
): Date | undefined {
  const earliest = (dates: Array<Date | undefined>) =>
    dates
      .filter((date): date is Date => date !== undefined)
      .sort((a, b) => a.getTime() - b.getTime())[0];
  const live = earliest(observed.map((w) => w.liveAt));
  if (live || !aRenditionSucceeded) return live;
  const finished = observed.filter(
    (w) => w.state === 'succeeded' && ['rendition', 'ladder', 'stitch'].includes(w.type),
  );
  return earliest(finished.map((w) => w.completedAt)) ?? now;
}

function renditionStatus(name: string, workload: ObservedWorkload | undefined): RenditionStatus {
  if (!workload) return { name, phase: 'Pending', progress: 0, attempts: 0 };
  // Active but not started (a local rendition waiting for a slot, a Job without its
  // first pod yet) is still pending: nothing is being transcoded for it.
  const phase: Phase =
    workload.state === 'succeeded'
      ? 'Succeeded'
      : workload.state === 'failed'
        ? 'Failed'
        : workload.attempts === 0
          ? 'Pending'
          : 'Running';
  return {
    name,
    phase,
    workload: workload.name,
    attempts: workload.attempts,
    progress:
      workload.state === 'succeeded'
        ? 100
        : Math.min(99, Math.max(0, Math.floor(workload.progress ?? 0))),
    ...(workload.startedAt ? { startedAt: iso(workload.startedAt) } : {}),
    ...(workload.completedAt ? { completedAt: iso(workload.completedAt) } : {}),
    ...(workload.state === 'succeeded' && workload.quality?.[name]
      ? { quality: workload.quality[name] }
      : {}),
    ...(workload.state === 'succeeded' && workload.twinQuality?.[name]?.length
      ? { twins: workload.twinQuality[name] }
      : {}),
    ...(workload.failure ? { message: workload.failure.message.slice(0, 32_768) } : {}),
  };
}

type ConditionInput = [
  type: 'Ready' | 'Progressing' | 'Failed',
  status: 'True' | 'False',
  reason: string,
  message: string,
];

/** Builds conditions, keeping lastTransitionTime when a condition's status did not change. */
function conditions(
  previous: Condition[],
  now: Date,
  generation: number,
  inputs: ConditionInput[],
): Condition[] {
  return inputs.map(([type, status, reason, message]) => {
    const before = previous.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastTransitionTime: before && before.status === status ? before.lastTransitionTime : iso(now),
      observedGeneration: generation,
    };
  });
}

/** Kubernetes date-times have second precision. */
function iso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Every workload a TranscodeJob's spec calls for, by deterministic name: one per
 * rendition plus one for the audio and subtitle tracks (or one ladder that makes both),
 * then finalize. Runtimes that must find finished work in storage (the local runtime
 * after a restart) look for exactly these.
 */
export function plannedWorkloads(
  name: string,
  spec: TranscodeJobSpec,
  strategy: WorkloadStrategy,
  segmentSeconds: number = DEFAULT_CHUNK_SEGMENT_SECONDS,
): {
  producers: WorkloadRequest[];
  finalize: Extract<WorkloadRequest, { type: 'finalize' }>;
  /** Chunked strategy only: joins the chunks once they are all done. */
  stitch?: Extract<WorkloadRequest, { type: 'stitch' }>;
} {
  const audioBitrate = highestAudioBitrate(spec.renditions);
  // First, so a runtime with few slots starts it first: it is short (audio only),
  // and a rendition is only playable once its sound is there.
  const tracks: WorkloadRequest = {
    type: 'tracks',
    name: childName(name, TRACKS),
    ...(audioBitrate ? { audioBitrate } : {}),
  };
  const finalize = {
    type: 'finalize' as const,
    name: childName(name, FINALIZE),
    renditions: spec.renditions.map((r) => r.name),
  };
  switch (strategy) {
    case 'ladder':
      return {
        producers: [{ type: 'ladder', name: childName(name, LADDER), renditions: spec.renditions }],
        finalize,
      };
    case 'perRendition':
      return {
        producers: [
          tracks,
          ...spec.renditions.map((rendition): WorkloadRequest => ({
            type: 'rendition',
            name: childName(name, rendition.name),
            rendition,
          })),
        ],
        finalize,
      };
    case 'chunked': {
      const chunks = planChunks({
        durationSeconds: spec.chunking?.durationSeconds ?? 0,
        segmentSeconds,
        maxParallel: spec.chunking?.maxParallel ?? 4,
        chunkSeconds: spec.chunking?.chunkSeconds,
      });
      return {
        producers: [
          tracks,
          ...chunks.map((chunk): WorkloadRequest => ({
            type: 'chunk',
            name: childName(name, `chunk-${chunk.index}`),
            chunk,
            segmentSeconds,
            renditions: spec.renditions,
          })),
        ],
        finalize,
        stitch: {
          type: 'stitch',
          name: childName(name, STITCH),
          chunks: chunks.length,
          renditions: spec.renditions,
        },
      };
    }
  }
}

/**
 * The chunked strategy's view of its workloads: which to run now (the tracks, at most
 * `maxParallel` chunks at once, the stitch once every chunk is done), each rendition's
 * status aggregated over the chunks (weighted by their segments), and the compact
 * chunk counts for `status.chunks`. A chunk retries alone: it is its own Job, with the
 * Job's own backoff.
 */
function chunkedProgress(
  planned: ReturnType<typeof plannedWorkloads>,
  byName: ReadonlyMap<string, ObservedWorkload>,
  spec: TranscodeJobSpec,
): {
  ready: WorkloadRequest[];
  status: ChunksStatus;
  rendition: (name: string) => RenditionStatus;
} {
  const chunks = planned.producers.filter(
    (p): p is Extract<WorkloadRequest, { type: 'chunk' }> => p.type === 'chunk',
  );
  const others = planned.producers.filter((p) => p.type !== 'chunk');
  const seen = chunks.map((request) => ({ request, workload: byName.get(request.name) }));
  const running = seen.filter((c) => c.workload?.state === 'active').length;
  const succeeded = seen.filter((c) => c.workload?.state === 'succeeded').length;
  const maxParallel = spec.chunking?.maxParallel ?? 4;
  const waiting = seen.filter((c) => !c.workload).slice(0, Math.max(0, maxParallel - running));
  const stitch = planned.stitch;
  const stitchWorkload = stitch ? byName.get(stitch.name) : undefined;
  const allDone = succeeded === chunks.length;
  const ready = [
    ...others,
    ...seen.filter((c) => c.workload).map((c) => c.request),
    ...waiting.map((c) => c.request),
    ...(allDone && stitch ? [stitch] : []),
  ];
  const indexes = (keep: (c: (typeof seen)[number]) => boolean) =>
    seen
      .filter(keep)
      .map((c) => c.request.chunk.index)
      .slice(0, 64);
  const failed = indexes((c) => c.workload?.state === 'failed');
  const retried = indexes((c) => (c.workload?.attempts ?? 0) > 1);
  const status: ChunksStatus = {
    total: chunks.length,
    succeeded,
    running,
    ...(failed.length > 0 ? { failed } : {}),
    ...(retried.length > 0 ? { retried } : {}),
    summary: `${succeeded}/${chunks.length}`,
  };
  const totalSegments = chunks.reduce((sum, c) => sum + c.chunk.segmentCount, 0);
  const chunkProgress =
    seen.reduce(
      (sum, c) =>
        sum +
        c.request.chunk.segmentCount *
          (c.workload?.state === 'succeeded' ? 100 : Math.max(0, c.workload?.progress ?? 0)),
      0,
    ) / Math.max(1, totalSegments);
  const starts = seen.flatMap((c) => (c.workload?.startedAt ? [c.workload.startedAt] : []));
  const rendition = (name: string): RenditionStatus => {
    if (stitchWorkload) {
      const status = renditionStatus(name, stitchWorkload);
      if (status.phase !== 'Succeeded' && status.phase !== 'Failed')
        return { ...status, phase: 'Running', progress: 99 };
      return status;
    }
    const anyFailed = failed.length > 0;
    const started = seen.some((c) => (c.workload?.attempts ?? 0) > 0);
    return {
      name,
      phase: anyFailed ? 'Failed' : started ? 'Running' : 'Pending',
      attempts: Math.max(0, ...seen.map((c) => c.workload?.attempts ?? 0)),
      progress: Math.min(99, Math.floor(chunkProgress)),
      ...(starts.length > 0
        ? { startedAt: iso(new Date(Math.min(...starts.map((d) => d.getTime())))) }
        : {}),
    };
  };
  return { ready, status, rendition };
}

/** The condition reason for a failed workload; kubectl users read it in `describe`. */
export function failureReason(kind: WorkloadFailureKind): string {
  switch (kind) {
    case 'bad-input':
      return 'BadInput';
    case 'deadline':
      return 'DeadlineExceeded';
    case 'transient':
      return 'RetriesExhausted';
    case 'unknown':
      return 'WorkloadFailed';
  }
}
