import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '@videoforge/api';
import { TranscodeJobSpec } from '@videoforge/contracts';
import {
  countIntake,
  createControllerMetrics,
  mediaDurationOfJob,
  recordJobTransitions,
  sampleQueueDepth,
  startLocalController,
  startQueueIntake,
} from '@videoforge/controller';
import { forCategory, type Logger } from '@videoforge/platform/logging';
import { createMetricsRegistry } from '@videoforge/platform/metrics';
import type { AllInOneConfig } from './config.ts';
import { transcoderEnvironment } from './transcoder-env.ts';

const TRANSCODER_MAIN = fileURLToPath(import.meta.resolve('@videoforge/transcoder/main'));

export interface AllInOne {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * All-in-one mode: the API (serving the web app), the outbox relay, queue intake and
 * the local controller, which runs the same reconciler as the operator with ffmpeg
 * child processes for workloads. The flow is the cluster's: upload → job row and
 * outbox in one transaction → queue → intake → reconcile → status in Postgres.
 */
export async function startAllInOne(
  config: AllInOneConfig,
  logger: Logger,
  /** The process environment, from which the transcoder children get their share. */
  env: NodeJS.ProcessEnv,
): Promise<AllInOne> {
  const system = forCategory(logger, 'SYSTEM');
  const registry = createMetricsRegistry('videoforge');
  const metrics = createControllerMetrics(registry);
  const webDistDir = existsSync(config.WEB_DIST_DIR) ? config.WEB_DIST_DIR : undefined;
  if (!webDistDir)
    system.warn(
      { dir: config.WEB_DIST_DIR },
      'the web app is not built (npm run build -w web); serving the API only',
    );

  const api = await startApiServer(config, { logger, webDistDir, metrics: registry });
  const { sql } = api.database;
  const transcoderEnv = {
    ...transcoderEnvironment(config, env, api.baseUrl),
    ...transcoderCompileCache(system),
  };
  const controller = startLocalController({
    sql,
    storage: api.storage,
    logger: forCategory(logger, 'JOB'),
    transcoderCommand: [process.execPath, TRANSCODER_MAIN],
    transcoderEnv,
    maxConcurrent: config.TRANSCODE_CONCURRENCY,
    onStatus: (resource, before, after) => {
      const jobId = TranscodeJobSpec.safeParse(resource.spec).data?.jobId;
      if (!jobId) return;
      recordJobTransitions(metrics, before, after, () => mediaDurationOfJob(sql, jobId)).catch(
        (error: unknown) => system.warn({ err: error, jobId }, 'recording metrics failed'),
      );
    },
  });
  const intake = startQueueIntake({
    queue: api.queue,
    sql,
    logger: forCategory(logger, api.queue.kind === 'sqs' ? 'SQS' : 'DB'),
    namespace: 'local',
    bucket: config.S3_BUCKET_NAME ?? 'local',
    visibilityTimeoutSeconds: config.QUEUE_VISIBILITY_TIMEOUT_SECONDS,
    waitSeconds: config.QUEUE_WAIT_SECONDS,
    onMessage: countIntake(metrics),
    // The jobs table is the local runtime's resource store: "creating" the
    // TranscodeJob is handing its job to the reconciler.
    createResource: async (resource) => {
      if (resource.spec.jobId) controller.enqueue(resource.spec.jobId);
      return 'created';
    },
  });
  const warming = warmTranscoder(transcoderEnv);
  const stopSampling = sampleQueueDepth(api.queue, metrics, system);
  metrics.leader.set(1);
  system.info(
    { url: api.baseUrl, web: Boolean(webDistDir), concurrency: config.TRANSCODE_CONCURRENCY },
    `VideoForge is running at ${api.baseUrl}`,
  );

  return {
    baseUrl: api.baseUrl,
    async stop() {
      if (warming.exitCode === null && warming.signalCode === null) warming.kill('SIGKILL');
      stopSampling();
      await intake
        .stop()
        .catch((error: unknown) => system.warn({ err: error }, 'stopping intake failed'));
      await controller
        .stop()
        .catch((error: unknown) => system.warn({ err: error }, 'stopping controller failed'));
      await api.stop();
    },
  };
}

/**
 * Each step of a job is a fresh `videoforge-transcode` process, and compiling its
 * TypeScript sources (type stripping included) is most of its start-up: ~0.6 CPU-s,
 * seconds on a busy laptop, spent before ffmpeg starts. Node's compile cache keeps the
 * compiled modules on disk (keyed by their contents), so a child only compiles what
 * changed since the last one.
 */
function transcoderCompileCache(logger: Logger): { NODE_COMPILE_CACHE?: string } {
  const cache = enableCompileCache();
  if (!cache.directory) {
    logger.warn({ message: cache.message }, 'no compile cache: each transcoder compiles afresh');
    return {};
  }
  return { NODE_COMPILE_CACHE: cache.directory };
}

/** Fills the compile cache once at start-up, so the first job's steps start warm too. */
function warmTranscoder(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [TRANSCODER_MAIN, '--help'], { env, stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}
