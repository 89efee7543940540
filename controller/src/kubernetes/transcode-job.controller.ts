import { isDeepStrictEqual } from 'node:util';
import {
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Job,
} from '@kubernetes/client-node';
import { generate as mergePatchBetween } from 'json-merge-patch';
import {
  type TranscodeJobSpec as TranscodeJobSpecType,
  TRANSCODE_JOB_FINALIZER,
  TRANSCODE_JOB_GROUP,
  TRANSCODE_JOB_KIND,
  TRANSCODE_JOB_PLURAL,
  TRANSCODE_JOB_VERSION,
  TranscodeJobSpec,
  type TranscodeJobResource,
  type TranscodeJobStatus,
} from '@videoforge/contracts';
import { withLogContext, type Logger } from '@videoforge/platform/logging';
import type { JobCredentialsIssuer, JobStorageScope } from '@videoforge/platform/storage';
import {
  reconcileTranscodeJob,
  resourceChanges,
  type Placement,
} from '../reconcile/transcode-job.reconciler.ts';
import type { ControllerMetrics } from '../controller-metrics.ts';
import { WorkQueue } from '../reconcile/work-queue.ts';
import {
  buildJobManifest,
  LABELS,
  MANAGED_BY,
  workIdentity,
  type JobTemplateSettings,
} from './job-manifest.builder.ts';
import { createJobCredentialSecrets } from './job-credentials.secret.ts';
import { compactJob, compactTranscodeJob } from './cache-projection.ts';
import { aggregateEvents, createEventRecorder } from './event-recorder.ts';
import { observeJob } from './job-observer.ts';
import { observeOwnedJobs } from './owned-workloads.ts';
import { startPhaseGauge } from './phase-gauge.ts';
import { MirroredStatuses } from './mirrored-statuses.ts';
import { OwnerIndex } from './owner-index.ts';
import { OwnWrites } from './own-writes.ts';
import { isAlreadyExists, isNotFound, statusCode } from './kube-errors.ts';
import { startResilientInformer } from './resilient-informer.ts';

export const FIELD_MANAGER = 'videoforge-controller';

/**
 * How long a Job's change waits before its TranscodeJob's pass, so that the changes the
 * Job controller makes to a TranscodeJob's Jobs one after another (each Job's first pod,
 * its start time) are decided, and written to the status, once rather than once each.
 * A TranscodeJob's own changes (a new one, a spec edit) are reconciled at once.
 */
export const JOB_CHANGE_BATCH_MS = 1_000;

/** A status write sends only the fields that changed (RFC 7396), not the whole status. */
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface TranscodeJobControllerDeps {
  kubeConfig: KubeConfig;
  namespace: string;
  jobTemplate: JobTemplateSettings;
  logger: Logger;
  now?: () => Date;
  /** What `strategy: auto` becomes here (TRANSCODE_AUTO_STRATEGY); default perRendition. */
  /** Where work runs; Kubernetes spreads a chunked job's chunks over nodes (runsChunks). */
  placement?: Placement;
  /**
   * Mirrors status to Postgres; a throw requeues with backoff. Called when the status
   * differs from the one it last mirrored successfully for that TranscodeJob.
   */
  onStatus?: (resource: TranscodeJobResource, status: TranscodeJobStatus) => Promise<void>;
  /** Removes a deleted job's outputs (the finalizer's external cleanup); must be idempotent. */
  cleanup?: (resource: TranscodeJobResource) => Promise<void>;
  metrics?: Pick<ControllerMetrics, 'reconcileDuration' | 'reconcileErrors' | 'transcodeJobs'>;
  /** Reconcile passes that may run at once (each on a different TranscodeJob). */
  workers?: number;
  /** For a hand-made TranscodeJob without a jobId: creates its Postgres rows. */
  adopt?: (
    resource: TranscodeJobResource,
    spec: TranscodeJobSpecType,
  ) => Promise<{ jobId: string; videoId: string }>;
  /**
   * Per-Job storage credentials: each batch Job gets a Secret it mounts, renewed while the
   * Job runs (jobTemplate.perJobCredentials must be set too).
   */
  jobCredentials?: JobCredentialsIssuer;
  /** Whether the API cancelled the job behind this resource. */
  isCancelled?: (jobId: string) => Promise<boolean>;
}

export interface RunningController {
  queue: WorkQueue;
  synced(): boolean;
  stop(): Promise<void>;
}

// Custom objects come off the wire as plain JSON (no Date conversion), so the cache's
// entries are read as the contract's type.
type TranscodeJobObject = TranscodeJobResource;

/**
 * Wires the pure reconciler to the cluster: informers feed a keyed work queue; each
 * pass reads the TranscodeJob and the Jobs it owns from the informer caches, decides,
 * then creates/deletes Jobs, writes status (only when it changed) and records Events.
 */
export async function startTranscodeJobController(
  deps: TranscodeJobControllerDeps,
): Promise<RunningController> {
  const { kubeConfig, namespace, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const placement: Placement = {
    autoStrategy: 'perRendition',
    runsChunks: true,
    ...deps.placement,
  };
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const events = createEventRecorder({ core, namespace, logger, now, component: FIELD_MANAGER });
  const crd = {
    group: TRANSCODE_JOB_GROUP,
    version: TRANSCODE_JOB_VERSION,
    namespace,
    plural: TRANSCODE_JOB_PLURAL,
  };

  const queue = new WorkQueue({
    // Keys are exclusive, so workers only ever overlap on different TranscodeJobs.
    concurrency: deps.workers ?? 8,
    process: async (key) => {
      const end = deps.metrics?.reconcileDuration.startTimer();
      try {
        return await withLogContext({ jobId: key }, () => reconcileKey(key));
      } finally {
        end?.();
        phases.changed();
      }
    },
    onError: (key, error, retryInMs) => {
      deps.metrics?.reconcileErrors.inc();
      // Conflict or not-found: our cache was behind the server (the object changed or
      // went away). Routine; the retry reads fresh state.
      const code = statusCode(error);
      if (code === 409 || code === 404)
        logger.debug({ key, code, retryInMs }, 'stale cache; retrying with fresh state');
      else logger.warn({ err: error, key, retryInMs }, 'reconcile failed; backing off');
    },
  });

  const enqueueAll = () => {
    for (const tj of transcodeJobs.informer.list(namespace))
      queue.add(`${namespace}/${tj.metadata?.name ?? ''}`);
  };
  const transcodeJobs = startResilientInformer<KubernetesObject>({
    kubeConfig,
    path: `/apis/${TRANSCODE_JOB_GROUP}/${TRANSCODE_JOB_VERSION}/namespaces/${namespace}/${TRANSCODE_JOB_PLURAL}`,
    list: () => custom.listNamespacedCustomObject(crd) as never,
    logger,
    onResync: () => enqueueAll(),
    project: compactTranscodeJob,
  });
  const jobs = startResilientInformer<V1Job>({
    kubeConfig,
    path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
    list: () =>
      batch.listNamespacedJob({ namespace, labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` }),
    labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
    logger,
    onResync: () => enqueueAll(),
    project: compactJob,
  });

  const credentialSecrets = deps.jobCredentials
    ? createJobCredentialSecrets(core, deps.jobCredentials)
    : undefined;
  const mirrored = new MirroredStatuses();
  const ownWrites = new OwnWrites();
  transcodeJobs.informer.on('delete', (tj) => {
    mirrored.forget(tj.metadata?.uid ?? '');
    ownWrites.forget(tj);
  });
  jobs.informer.on('delete', (job) => ownWrites.forget(job));
  const jobsByOwner = new OwnerIndex();
  jobs.informer.on('add', (job) => jobsByOwner.set(job));
  jobs.informer.on('update', (job) => jobsByOwner.set(job));
  jobs.informer.on('delete', (job) => jobsByOwner.delete(job));

  const phases = startPhaseGauge({
    list: () => transcodeJobs.informer.list(namespace) as TranscodeJobObject[],
    ...(deps.metrics ? { gauge: deps.metrics.transcodeJobs } : {}),
  });
  const enqueueResource = (tj: KubernetesObject) =>
    queue.add(`${tj.metadata?.namespace ?? namespace}/${tj.metadata?.name ?? ''}`);
  const enqueueOwner = (job: V1Job) => {
    const owner = job.metadata?.ownerReferences?.find(
      (o) => o.controller && o.kind === TRANSCODE_JOB_KIND,
    );
    if (owner)
      queue.addAfter(`${job.metadata?.namespace ?? namespace}/${owner.name}`, JOB_CHANGE_BATCH_MS);
  };
  // Level-triggered: every kind of event just names the key; the pass reads the world.
  // Our own writes coming back are the exception: the pass that made them saw them.
  transcodeJobs.informer.on('add', enqueueResource);
  transcodeJobs.informer.on('update', (tj) => {
    if (!ownWrites.isEcho(tj)) enqueueResource(tj);
  });
  transcodeJobs.informer.on('delete', enqueueResource);
  jobs.informer.on('add', (job) => {
    if (!ownWrites.isEcho(job)) enqueueOwner(job);
  });
  jobs.informer.on('update', enqueueOwner);
  jobs.informer.on('delete', enqueueOwner);

  async function reconcileKey(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const [ns = namespace, name = ''] = key.split('/');
    const resource = transcodeJobs.informer.get(name, ns) as TranscodeJobObject | undefined;
    if (!resource) return; // gone: the garbage collector removes its Jobs

    const finalizers = resource.metadata.finalizers ?? [];
    const parsedSpec = TranscodeJobSpec.safeParse(resource.spec);
    // Asked of Postgres only while the answer can change something: a spec already
    // cancelled, or a resource being deleted, has nothing left to mark.
    const askCancelled =
      parsedSpec.success && !parsedSpec.data.cancel && !resource.metadata.deletionTimestamp;
    const jobId = askCancelled ? parsedSpec.data.jobId : undefined;
    const changes = resourceChanges(resource, {
      cancelledThroughApi: jobId ? ((await deps.isCancelled?.(jobId)) ?? false) : false,
      canAdopt: deps.adopt !== undefined,
    });
    const specPatch: Array<{ op: 'add'; path: string; value: unknown }> = [];
    for (const change of changes) {
      switch (change.type) {
        case 'addFinalizer':
          await custom.patchNamespacedCustomObject({
            ...crd,
            namespace: ns,
            name,
            body: [
              {
                op: 'add',
                path: '/metadata/finalizers',
                value: [...finalizers, TRANSCODE_JOB_FINALIZER],
              },
            ],
          });
          break;
        case 'adopt': {
          if (!deps.adopt || !parsedSpec.success) break;
          const rows = await deps.adopt(resource, parsedSpec.data);
          specPatch.push(
            { op: 'add', path: '/spec/jobId', value: rows.jobId },
            { op: 'add', path: '/spec/videoId', value: rows.videoId },
          );
          break;
        }
        case 'markCancelled':
          specPatch.push({ op: 'add', path: '/spec/cancel', value: true });
          break;
      }
    }
    if (specPatch.length > 0) {
      await custom.patchNamespacedCustomObject({ ...crd, namespace: ns, name, body: specPatch });
      return; // the update event brings the new spec back
    }

    const owned = jobsByOwner
      .owned(resource.metadata.uid ?? '')
      .map((jobName) => jobs.informer.get(jobName, ns))
      .filter((job) => job !== undefined);
    const scope: JobStorageScope | undefined = parsedSpec.success
      ? {
          bucket: parsedSpec.data.source.bucket,
          sourceKey: parsedSpec.data.source.key,
          outputPrefix: workIdentity(resource, parsedSpec.data).outputPrefix,
        }
      : undefined;
    // When the next Job's credentials are due for renewal; pending Jobs need it too.
    let renewInMs: number | undefined;
    if (credentialSecrets && scope) {
      for (const job of owned) {
        const seen = observeJob(job);
        if (!seen) continue;
        if (seen.state === 'active') {
          const due = await credentialSecrets.ensure(job, scope);
          renewInMs = Math.max(1000, Math.min(renewInMs ?? due, due));
        } else credentialSecrets.forget(ns, seen.name);
      }
    }
    const observed = await observeOwnedJobs(core, ns, resource, owned);
    const passTime = now();
    let decision = reconcileTranscodeJob(resource, observed, passTime, placement);
    const specData = parsedSpec.success ? parsedSpec.data : undefined;

    // At once: a first pass creates the tracks and rendition Jobs together, and their
    // round trips are most of its time.
    const createdJobs: V1Job[] = [];
    await allSettledOrThrow(
      (specData ? decision.create : []).map(async (request) => {
        if (!specData) return;
        try {
          const created = await batch.createNamespacedJob({
            namespace: ns,
            body: buildJobManifest(resource, specData, request, deps.jobTemplate),
            fieldManager: FIELD_MANAGER,
          });
          createdJobs.push(created);
          ownWrites.wrote(created, jobs.informer.get(created.metadata?.name ?? '', ns));
          // After the Job, whose uid the Secret's owner reference needs; its pod waits for
          // the Secret volume meanwhile.
          if (credentialSecrets && scope) {
            const due = await credentialSecrets.ensure(created, scope);
            renewInMs = Math.max(1000, Math.min(renewInMs ?? due, due));
          }
        } catch (error) {
          if (!isAlreadyExists(error)) throw error; // a cache behind the world: it exists, fine
        }
      }),
    );
    for (const jobName of decision.delete) {
      try {
        await batch.deleteNamespacedJob({
          name: jobName,
          namespace: ns,
          propagationPolicy: 'Background',
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }

    if (createdJobs.length > 0) {
      // The status says what this pass started, as the next pass would once the new Jobs'
      // watch events arrive: one status write for both, not one before and one after.
      // The same pure decision, on the world as it is after our creates.
      const withCreated = await observeOwnedJobs(core, ns, resource, [...owned, ...createdJobs]);
      const { status, requeueAfterMs } = reconcileTranscodeJob(
        resource,
        withCreated,
        passTime,
        placement,
      );
      decision = {
        ...decision,
        status,
        ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }),
      };
    }

    const before = normalise(resource.status);
    const after = normalise(decision.status);
    if (!isDeepStrictEqual(before, after)) {
      // A merge patch of the fields that changed: no resourceVersion, so no conflict with
      // the finalizer patch above or a spec edit; status is ours alone (one field manager).
      // Arrays (renditions, conditions) go whole, as RFC 7396 has it.
      const written = (await custom.patchNamespacedCustomObjectStatus(
        {
          ...crd,
          namespace: ns,
          name,
          body: { status: mergePatchBetween(before, after) },
          fieldManager: FIELD_MANAGER,
        },
        mergePatch,
      )) as KubernetesObject;
      ownWrites.wrote(written, transcodeJobs.informer.get(name, ns));
    }
    const uid = resource.metadata.uid ?? key;
    if (deps.onStatus && mirrored.changed(uid, decision.status)) {
      await deps.onStatus(resource, decision.status);
      mirrored.remember(uid, decision.status);
    }
    for (const event of aggregateEvents(decision.events)) events.record(resource, event);

    if (decision.removeFinalizer) {
      await deps.cleanup?.(resource);
      const index = finalizers.indexOf(TRANSCODE_JOB_FINALIZER);
      await custom.patchNamespacedCustomObject({
        ...crd,
        namespace: ns,
        name,
        // test-then-remove: never drop a finalizer another controller added meanwhile
        body: [
          { op: 'test', path: `/metadata/finalizers/${index}`, value: TRANSCODE_JOB_FINALIZER },
          { op: 'remove', path: `/metadata/finalizers/${index}` },
        ],
      });
      return;
    }
    const next =
      decision.requeueAfterMs === undefined || renewInMs === undefined
        ? (decision.requeueAfterMs ?? renewInMs)
        : Math.min(decision.requeueAfterMs, renewInMs);
    return next === undefined ? undefined : { requeueAfterMs: next };
  }

  await Promise.all([transcodeJobs.ready, jobs.ready]);
  enqueueAll();
  logger.info({ namespace }, 'TranscodeJob controller started');
  return {
    queue,
    /** Both informers' caches are listed and watching (the controller's /readyz). */
    synced: () => transcodeJobs.synced() && jobs.synced(),
    async stop() {
      queue.stop();
      phases.stop();
      await Promise.all([transcodeJobs.stop(), jobs.stop(), events.drain()]);
    },
  };
}

/**
 * Waits for every one of `work` (none is left running unobserved), then throws the first
 * failure.
 */
async function allSettledOrThrow(work: Array<Promise<void>>): Promise<void> {
  const failure = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Status as the API server stores it: undefined fields dropped. */
function normalise(status: TranscodeJobStatus | undefined): unknown {
  return JSON.parse(JSON.stringify(status ?? {})) as unknown;
}
