import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OUTBOX_TOPIC_TRANSCODE } from '@videoforge/contracts';
import { loadOrCreateSecret } from '@videoforge/platform/config';
import { openDatabase, type OpenDatabase } from '@videoforge/platform/database';
import { forCategory, type Logger } from '@videoforge/platform/logging';
import { createMetricsRegistry, type Registry } from '@videoforge/platform/metrics';
import { createOutboxRelay } from '@videoforge/platform/outbox';
import { createQueue, type QueuePort } from '@videoforge/platform/queue';
import { createStorage, type StoragePort } from '@videoforge/platform/storage';
import { createApp, type ApiSettings } from './app.ts';
import { bootstrapAdmin } from './auth/admin-bootstrap.ts';
import type { ApiConfig } from './config.ts';
import { createEventsHub } from './events/events.hub.ts';
import { createFfprobeProber } from './probe/upload-prober.ts';
import { startUploadSweeper } from './uploads/upload-sweeper.ts';

/** Where presigned storage URLs point, for the web app's CSP (local storage is same-origin). */
function storageOrigins(config: ApiConfig): string[] {
  if (config.CSP_STORAGE_ORIGINS) return config.CSP_STORAGE_ORIGINS;
  if (config.STORAGE_DRIVER !== 's3') return [];
  if (config.S3_ENDPOINT) return [new URL(config.S3_ENDPOINT).origin];
  const region = config.S3_REGION;
  return [
    `https://${config.S3_BUCKET_NAME ?? ''}.s3.${region}.amazonaws.com`,
    `https://s3.${region}.amazonaws.com`,
  ];
}

/** How long a stopping API waits for in-flight requests (the chart's grace period is longer). */
const DRAIN_TIMEOUT_MS = 25_000;

function settingsFrom(config: ApiConfig, jwtSecret: string): ApiSettings {
  return {
    authMode: config.AUTH_MODE,
    jwtSecret,
    oidc:
      config.AUTH_MODE === 'oidc' && config.OIDC_ISSUER && config.OIDC_CLIENT_ID
        ? {
            issuer: config.OIDC_ISSUER,
            clientId: config.OIDC_CLIENT_ID,
            clientSecret: config.OIDC_CLIENT_SECRET,
            audience: config.OIDC_AUDIENCE,
            jwksUrl: config.OIDC_JWKS_URL,
            redirectUri: config.OIDC_REDIRECT_URI,
            scopes: config.OIDC_SCOPES,
            providerName: config.OIDC_PROVIDER_NAME ?? new URL(config.OIDC_ISSUER).hostname,
            logoutUrl: config.OIDC_LOGOUT_URL,
            postLogoutRedirectUri: config.OIDC_POST_LOGOUT_REDIRECT_URI,
            groupsClaim: config.OIDC_GROUPS_CLAIM,
            adminGroup: config.OIDC_ADMIN_GROUP,
          }
        : undefined,
    corsOrigins: config.CORS_ORIGINS,
    jsonBodyLimit: config.JSON_BODY_LIMIT,
    authRateLimitPerMinute: config.AUTH_RATE_LIMIT_PER_MINUTE,
    loginFailureLimit: config.AUTH_LOGIN_FAILURE_LIMIT,
    totpFailureLimit: config.AUTH_TOTP_FAILURE_LIMIT,
    registration: config.REGISTRATION,
    trustProxy: config.TRUST_PROXY,
    refreshFamilyLifetimeSeconds: config.REFRESH_FAMILY_MAX_AGE_DAYS * 24 * 3600,
    // The JWT secret last: it seals when no ring is set and opens secrets sealed before one was.
    mfaKeyRing: [...(config.MFA_ENCRYPTION_KEYS ?? []), jwtSecret],
    maxEventStreamsPerUser: config.EVENTS_MAX_STREAMS_PER_USER,
    storageOrigins: storageOrigins(config),
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    singleUploadMaxBytes: config.SINGLE_UPLOAD_MAX_BYTES,
    multipartPartBytes: config.MULTIPART_PART_BYTES,
    resumableUploadSeconds: config.UPLOAD_RESUMABLE_HOURS * 3600,
    quotas: {
      concurrentUploads: config.QUOTA_CONCURRENT_UPLOADS,
      activeJobs: config.QUOTA_ACTIVE_JOBS,
      storedBytes: config.QUOTA_STORED_BYTES,
      sourceDurationSeconds: config.QUOTA_SOURCE_DURATION_SECONDS,
    },
  };
}

export interface ApiServerOptions {
  logger: Logger;
  /** The built web app, served at / (all-in-one mode). */
  webDistDir?: string | undefined;
  /** Shared with other components in the same process (all-in-one mode). */
  metrics?: Registry;
}

export interface ApiServer {
  server: Server;
  /** Where the API is reachable, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  database: OpenDatabase;
  storage: StoragePort;
  queue: QueuePort;
  /** Stops in reverse order of start; each step runs even if an earlier one failed. */
  stop(): Promise<void>;
}

/** Starts the API: listen → database → storage and queue → outbox relay → HTTP app. */
export async function startApiServer(
  config: ApiConfig,
  options: ApiServerOptions,
): Promise<ApiServer> {
  const { logger } = options;
  const system = forCategory(logger, 'SYSTEM');

  // Listen first: local storage signs URLs with the API's own address, which is only
  // known once bound (PORT=0 picks a free port).
  let handle: RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
    res.end(
      JSON.stringify({ error: { code: 'starting', message: 'the API is starting', details: {} } }),
    );
  };
  const server = createServer((req, res) => handle(req, res));
  server.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const database = await openDatabase(config, logger);
  const storage = await createStorage(config, baseUrl);
  const queue = createQueue(config, database.sql);
  const relay = createOutboxRelay({
    sql: database.sql,
    queueFor: (topic) => (topic === OUTBOX_TOPIC_TRANSCODE ? queue : undefined),
    logger: forCategory(logger, config.QUEUE_DRIVER === 'sqs' ? 'SQS' : 'DB'),
  });
  if (config.OUTBOX_RELAY_ENABLED) await relay.start();

  // Production refuses to start without JWT_SECRET (config.ts): replicas must share it.
  const jwtSecret =
    config.JWT_SECRET ?? (await loadOrCreateSecret(config.LOCAL_STORAGE_DIR, '.jwt-secret', 48));
  const events = createEventsHub(database.sql, forCategory(logger, 'DB'));
  handle = createApp({
    logger,
    metrics: options.metrics ?? createMetricsRegistry('api'),
    sql: database.sql,
    storage,
    queue,
    settings: settingsFrom(config, jwtSecret),
    probe: createFfprobeProber({
      ffprobePath: config.FFPROBE_PATH,
      timeoutMs: config.PROBE_TIMEOUT_MS,
    }),
    events,
    webDistDir: options.webDistDir,
  });
  if (config.AUTH_MODE === 'builtin')
    await bootstrapAdmin({
      sql: database.sql,
      logger: forCategory(logger, 'AUTH'),
      admin:
        config.ADMIN_EMAIL && config.ADMIN_PASSWORD
          ? {
              username: config.ADMIN_USERNAME,
              email: config.ADMIN_EMAIL,
              password: config.ADMIN_PASSWORD,
            }
          : undefined,
      setupUrl: (token) =>
        `${(config.PUBLIC_BASE_URL ?? baseUrl).replace(/\/+$/, '')}/register?setup=${token}`,
    });
  const stopSweeper = startUploadSweeper({
    sql: database.sql,
    storage,
    logger: forCategory(logger, 'API'),
  });
  system.info(
    { url: baseUrl, database: database.mode, storage: storage.kind, queue: queue.kind },
    `VideoForge API listening on ${baseUrl}`,
  );

  return {
    server,
    baseUrl,
    database,
    storage,
    queue,
    async stop() {
      // Drain first: no new connections, idle keep-alives closed, event streams ended
      // (their clients reconnect elsewhere), in-flight requests finish while the
      // database is still there; only then do the dependencies close.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await events.close().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS)),
        ),
      ]);
      clearTimeout(timer);
      if (!drained) {
        system.warn(
          { timeoutMs: DRAIN_TIMEOUT_MS },
          'requests still open after the drain; cutting them',
        );
        server.closeAllConnections();
      }
      // On Ctrl-C the embedded PostgreSQL receives the signal too and may already be
      // stopping, so a failed step must not skip the rest.
      for (const [name, step] of [
        ['upload sweeper', async () => stopSweeper()],
        ['outbox relay', () => relay.stop()],
        ['queue', () => queue.close()],
        ['database', () => database.close()],
      ] as const) {
        await step().catch((error: unknown) =>
          system.warn({ err: error }, `stopping ${name} failed`),
        );
      }
    },
  };
}
