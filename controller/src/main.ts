import { once } from 'node:events';
import { createServer } from 'node:http';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import {
  TRANSCODE_JOB_GROUP,
  TRANSCODE_JOB_PLURAL,
  TRANSCODE_JOB_VERSION,
  TranscodeJobSpec,
} from '@videoforge/contracts';
import { loadConfigOrExit } from '@videoforge/platform/config';
import { runMain, stopOnSignals } from '@videoforge/platform/process';
import { openDatabase } from '@videoforge/platform/database';
import { createLogger, forCategory } from '@videoforge/platform/logging';
import { createMetricsRegistry } from '@videoforge/platform/metrics';
import { createQueue } from '@videoforge/platform/queue';
import { createJobCredentialsIssuer, createStorage } from '@videoforge/platform/storage';
import { ControllerConfig } from './config.ts';
import {
  countIntake,
  createControllerMetrics,
  recordJobTransitions,
  sampleQueueDepth,
} from './controller-metrics.ts';
import { startQueueIntake } from './intake/queue-intake.ts';
import { workIdentity } from './kubernetes/job-manifest.builder.ts';
import { isAlreadyExists } from './kubernetes/kube-errors.ts';
import { startLeaderElection, type LeaderElector } from './kubernetes/leader-election.ts';
import { shareConnections } from './kubernetes/shared-connections.ts';
import { jobTemplateFromConfig } from './kubernetes/job-template.ts';
import { startTranscodeJobController } from './kubernetes/transcode-job.controller.ts';
import {
  createRowsForManualJob,
  isJobCancelled,
  mediaDurationOfJob,
} from './postgres/job-rows.repository.ts';
import { mirrorJobStatus } from './postgres/job-status.repository.ts';
import { checkReadiness } from './readiness.ts';

/** The operator's composition root (cluster mode). */
async function main(): Promise<void> {
  const config = loadConfigOrExit(ControllerConfig);
  const logger = createLogger({ service: 'controller', level: config.LOG_LEVEL });
  const system = forCategory(logger, 'SYSTEM');
  const registry = createMetricsRegistry('controller');
  const metrics = createControllerMetrics(registry);

  const database = await openDatabase(config, logger);
  const storage = await createStorage(config, 'http://127.0.0.1');
  const queue = createQueue(config, database.sql);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  shareConnections(kubeConfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const namespace = config.KUBE_NAMESPACE;
  const jobCredentials = config.TRANSCODER_ROLE_ARN
    ? createJobCredentialsIssuer({
        roleArn: config.TRANSCODER_ROLE_ARN,
        region: config.S3_REGION,
        ...(config.STS_ENDPOINT ? { endpoint: config.STS_ENDPOINT } : {}),
      })
    : undefined;

  let informersSynced: (() => boolean) | undefined;
  // Set once leader election starts (below); /readyz may be asked before that.
  const lead: { elector?: LeaderElector } = {};
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry
        .metrics()
        .then((text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text));
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.url === '/readyz') {
      const standby = lead.elector !== undefined && !lead.elector.isLeader();
      void checkReadiness(database.sql, { standby, informersSynced }).then(({ ready, checks }) =>
        res
          .writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ status: ready ? 'ready' : 'not_ready', checks })),
      );
    } else res.writeHead(404).end();
  });
  server.listen(config.METRICS_PORT, config.METRICS_HOST);
  await once(server, 'listening');

  let stopWork: (() => Promise<void>) | undefined;
  const startWork = async () => {
    const controller = await startTranscodeJobController({
      kubeConfig,
      namespace,
      logger: forCategory(logger, 'JOB'),
      metrics,
      jobTemplate: jobTemplateFromConfig(config),
      workers: config.RECONCILE_WORKERS,
      placement: {
        autoStrategy: config.TRANSCODE_AUTO_STRATEGY,
        chunkMinSeconds: config.TRANSCODE_CHUNK_MIN_SECONDS,
      },
      ...(jobCredentials ? { jobCredentials } : {}),
      onStatus: async (resource, status) => {
        const spec = TranscodeJobSpec.safeParse(resource.spec);
        if (!spec.success || !spec.data.jobId) return;
        const { outputPrefix } = workIdentity(resource, spec.data);
        await mirrorJobStatus(database.sql, { jobId: spec.data.jobId, outputPrefix, status });
        const { jobId } = spec.data;
        await recordJobTransitions(metrics, resource.status, status, () =>
          mediaDurationOfJob(database.sql, jobId),
        );
      },
      adopt: (resource, spec) =>
        createRowsForManualJob(
          database.sql,
          { uid: resource.metadata.uid ?? resource.metadata.name, name: resource.metadata.name },
          spec,
        ),
      isCancelled: (jobId) => isJobCancelled(database.sql, jobId),
      cleanup: async (resource) => {
        const spec = TranscodeJobSpec.safeParse(resource.spec);
        if (!spec.success) return;
        const { outputPrefix } = workIdentity(resource, spec.data);
        // Only a cancelled or failed job's partial outputs go; a finished video stays.
        if (resource.status?.phase !== 'Succeeded') await storage.deletePrefix(outputPrefix);
      },
    });
    const intake = startQueueIntake({
      queue,
      sql: database.sql,
      logger: forCategory(logger, queue.kind === 'sqs' ? 'SQS' : 'DB'),
      namespace,
      bucket: config.S3_BUCKET_NAME ?? 'local',
      defaultCodecs: config.TRANSCODE_CODECS,
      chunkMaxParallel: config.TRANSCODE_CHUNK_MAX_PARALLEL,
      visibilityTimeoutSeconds: config.QUEUE_VISIBILITY_TIMEOUT_SECONDS,
      waitSeconds: config.QUEUE_WAIT_SECONDS,
      onMessage: countIntake(metrics),
      createResource: async (resource) => {
        try {
          await custom.createNamespacedCustomObject({
            group: TRANSCODE_JOB_GROUP,
            version: TRANSCODE_JOB_VERSION,
            plural: TRANSCODE_JOB_PLURAL,
            namespace,
            body: resource,
          });
          return 'created';
        } catch (error) {
          if (isAlreadyExists(error)) return 'exists';
          throw error;
        }
      },
    });
    const stopSampling = sampleQueueDepth(queue, metrics, system);
    metrics.leader.set(1);
    informersSynced = () => controller.synced();
    stopWork = async () => {
      informersSynced = undefined;
      stopSampling();
      metrics.leader.set(0);
      await intake.stop();
      await controller.stop();
    };
  };

  const elector = (lead.elector = config.LEADER_ELECTION
    ? startLeaderElection({
        kubeConfig,
        namespace,
        leaseName: config.LEASE_NAME,
        identity: config.POD_NAME,
        logger: system,
        onStartedLeading: startWork,
        // Losing the lease mid-work: exit and let the Deployment restart us as a
        // standby, rather than risk two leaders acting at once.
        onStoppedLeading: () => {
          if (!shuttingDown) process.exit(1);
        },
        // The lease is already given back: stop what did start and exit non-zero, so the
        // Deployment restarts this pod while a standby leads.
        onStartFailed: async (error) => {
          system.error({ err: error }, 'could not start as leader; exiting');
          await stopWork?.().catch(() => undefined);
          process.exit(1);
        },
      })
    : undefined);
  if (!elector) await startWork();
  system.info(
    {
      namespace,
      identity: config.POD_NAME,
      metrics: `${config.METRICS_HOST}:${config.METRICS_PORT}`,
    },
    'controller running',
  );

  let shuttingDown = false;
  stopOnSignals(system, async () => {
    shuttingDown = true;
    await stopWork?.().catch((error: unknown) =>
      system.warn({ err: error }, 'stopping work failed'),
    );
    await elector?.stop();
    server.close();
    await queue.close();
    await database.close();
  });
}

runMain(main);
