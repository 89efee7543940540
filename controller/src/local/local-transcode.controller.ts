import {
  chunkManifestKey,
  OUTPUT_FILES,
  outputPrefixFor,
  TRACKS_MANIFEST,
  TranscodeJobSpec,
  type TranscodeJobResource,
  type TranscodeJobStatus,
} from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import { withLogContext, type Logger } from '@videoforge/platform/logging';
import type { StoragePort } from '@videoforge/platform/storage';
import { transcodeJobFor, type JobRow } from '../intake/transcode-job.factory.ts';
import { transcoderArgs, workIdentity } from '../kubernetes/job-manifest.builder.ts';
import { mirrorJobStatus } from '../postgres/job-status.repository.ts';
import {
  plannedWorkloads,
  reconcileTranscodeJob,
  strategyOf,
  type Placement,
} from '../reconcile/transcode-job.reconciler.ts';
import type { ObservedWorkload, WorkloadRequest } from '../reconcile/workload.ts';
import { WorkQueue } from '../reconcile/work-queue.ts';
import { createSlots, LocalWorkload } from './local-workload.runner.ts';

export interface LocalControllerDeps {
  sql: Sql;
  storage: StoragePort;
  logger: Logger;
  /** How to start the transcoder, e.g. [process.execPath, 'transcoder/src/main.ts']. */
  transcoderCommand: string[];
  /** The transcoder's environment (storage settings and the like). */
  transcoderEnv: Record<string, string>;
  maxConcurrent: number;
  /** How often to look for work nothing announced (e.g. after a restart). */
  resyncMs?: number;
  retryDelayMs?: number;
  /** The clock the reconciler reads (conditions' transition times); injected in tests. */
  now?: () => Date;
  onStatus?: (
    resource: TranscodeJobResource,
    before: TranscodeJobStatus | undefined,
    after: TranscodeJobStatus,
  ) => void;
}

export interface LocalController {
  /** Reconciles a job now (intake calls this for each new job). */
  enqueue(jobId: string): void;
  queue: WorkQueue;
  stop(): Promise<void>;
}

/**
 * All-in-one mode: the same reconciler as the operator, with the jobs table as the
 * resource store and child processes as the workloads. Status is rebuilt each pass
 * from running processes and, for work finished before a restart, from the outputs
 * in storage (a rendition's manifest, the master playlist), then mirrored to Postgres.
 */
/** One machine runs every rendition here, so `auto` is the decode-once ladder. */
const LOCAL_PLACEMENT: Placement = { autoStrategy: 'ladder' };

export function startLocalController(deps: LocalControllerDeps): LocalController {
  const { sql, storage, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const workloads = new Map<string, LocalWorkload>();
  const statuses = new Map<string, TranscodeJobStatus>();
  const slots = createSlots(deps.maxConcurrent);

  const queue = new WorkQueue({
    concurrency: 1,
    process: (jobId) => withLogContext({ jobId }, () => reconcile(jobId)),
    onError: (jobId, error, retryInMs) =>
      logger.warn({ err: error, jobId, retryInMs }, 'local reconcile failed; backing off'),
  });

  async function finishedInStorage(
    request: WorkloadRequest,
    outputPrefix: string,
  ): Promise<boolean> {
    const keys =
      request.type === 'finalize'
        ? [`${outputPrefix}${OUTPUT_FILES.master}`]
        : request.type === 'tracks'
          ? [`${outputPrefix}${TRACKS_MANIFEST}`]
          : request.type === 'chunk'
            ? [chunkManifestKey(outputPrefix, request.chunk.index)]
            : (request.type === 'rendition' ? [request.rendition] : request.renditions).map(
                (r) => `${outputPrefix}${r.name}/${OUTPUT_FILES.renditionManifest}`,
              );
    for (const key of keys) if (!(await storage.head(key))) return false;
    return true;
  }

  async function reconcile(jobId: string): Promise<{ requeueAfterMs?: number } | void> {
    const [row] = await sql<(JobRow & { status: string })[]>`
      SELECT id, video_id, formats, strategy, hdr, codecs, input_key, output_prefix, status FROM jobs WHERE id = ${jobId}`;
    const owned = [...workloads.values()].filter((w) => w.spec.name.startsWith(`job-${jobId}-`));
    if (!row) {
      // Deleted: stop its work, and forget each workload once its process is gone.
      for (const workload of owned) {
        workload.cancel();
        if (!workload.running) workloads.delete(workload.spec.name);
      }
      return;
    }
    // Finished and forgotten: only a retry (which makes the row pending) reopens it.
    if ((row.status === 'succeeded' || row.status === 'failed') && owned.length === 0) return;
    const resource = transcodeJobFor(row, { namespace: 'local', bucket: 'local' });
    if (row.status === 'cancelled') resource.spec.cancel = true;
    const previous = statuses.get(jobId);
    if (previous) resource.status = previous;
    const parsed = TranscodeJobSpec.safeParse(resource.spec);
    if (!parsed.success) {
      // Terminal, as on the cluster: the reconciler's InvalidSpec status, no backoff loop.
      const decision = reconcileTranscodeJob(
        resource,
        owned.map((w) => w.observe()),
        now(),
        LOCAL_PLACEMENT,
      );
      for (const name of decision.delete) workloads.get(name)?.cancel();
      await mirrorJobStatus(sql, {
        jobId: row.id,
        videoId: row.video_id,
        outputPrefix: row.output_prefix ?? outputPrefixFor(row.id),
        status: decision.status,
      });
      deps.onStatus?.(resource, previous, decision.status);
      statuses.delete(jobId);
      return;
    }
    const spec = parsed.data;
    const { outputPrefix } = workIdentity(resource, spec);

    // Every workload this job could have: observed from memory, else from storage.
    const planned = plannedWorkloads(
      resource.metadata.name,
      spec,
      strategyOf(resource, spec, LOCAL_PLACEMENT),
    );
    const all = [...planned.producers, planned.finalize];
    const observed: ObservedWorkload[] = [];
    for (const request of all) {
      const running = workloads.get(request.name);
      if (running) observed.push(running.observe());
      else if (await finishedInStorage(request, outputPrefix)) {
        observed.push({
          name: request.name,
          type: request.type,
          renditions: [],
          state: 'succeeded',
          attempts: 0,
        });
      }
    }

    const decision = reconcileTranscodeJob(resource, observed, now(), LOCAL_PLACEMENT);
    for (const request of decision.create) {
      if (workloads.has(request.name)) continue;
      const workload = new LocalWorkload(
        {
          name: request.name,
          type: request.type,
          renditions:
            request.type === 'rendition'
              ? [request.rendition.name]
              : request.type === 'ladder' || request.type === 'chunk'
                ? request.renditions.map((r) => r.name)
                : [],
          command: deps.transcoderCommand,
          args: transcoderArgs(spec, row.id, outputPrefix, request),
          env: deps.transcoderEnv,
          maxRetries: spec.maxRetries,
        },
        {
          slots,
          logger,
          onChange: () => queue.add(jobId),
          now,
          ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}),
        },
      );
      workloads.set(request.name, workload);
      logger.info({ workload: request.name }, 'started local workload');
    }
    for (const name of decision.delete) workloads.get(name)?.cancel();

    statuses.set(jobId, decision.status);
    await mirrorJobStatus(sql, {
      jobId: row.id,
      videoId: row.video_id,
      outputPrefix,
      status: decision.status,
    });
    deps.onStatus?.(resource, previous, decision.status);

    const terminal =
      decision.status.phase === 'Succeeded' ||
      decision.status.phase === 'Failed' ||
      decision.status.phase === 'Cancelled';
    if (terminal && !owned.some((w) => w.running)) {
      // Forget finished work so memory does not grow; storage remembers what succeeded.
      for (const workload of owned) workloads.delete(workload.spec.name);
      statuses.delete(jobId);
      return;
    }
    // No polling: every change of a workload (start, progress, exit) enqueues the job.
    return decision.requeueAfterMs === undefined
      ? undefined
      : { requeueAfterMs: decision.requeueAfterMs };
  }

  const resyncAll = async () => {
    const rows = await sql<
      { id: string }[]
    >`SELECT id FROM jobs WHERE status IN ('pending', 'running') ORDER BY id`;
    for (const row of rows) queue.add(row.id);
    for (const jobId of new Set(
      [...workloads.keys()].map((name) => /^job-(\d+)-/.exec(name)?.[1] ?? ''),
    ))
      if (jobId) queue.add(jobId);
  };
  const resync = setInterval(
    () => void resyncAll().catch((error: unknown) => logger.warn({ err: error }, 'resync failed')),
    deps.resyncMs ?? 10_000,
  );
  void resyncAll().catch((error: unknown) => logger.warn({ err: error }, 'initial resync failed'));

  return {
    enqueue: (jobId) => queue.add(jobId),
    queue,
    async stop() {
      clearInterval(resync);
      queue.stop();
      for (const workload of workloads.values()) workload.cancel();
      await Promise.all([...workloads.values()].map((w) => w.done));
    },
  };
}
