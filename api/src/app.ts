import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { forCategory, withLogContext, type Logger } from '@videoforge/platform/logging';
import type { Registry } from '@videoforge/platform/metrics';
import type { LocalStorage } from '@videoforge/platform/storage';
import { perClientAddress, postgresAttemptLimiter } from './auth/attempt-limits.ts';
import { createAuthService } from './auth/auth.service.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { builtinVerifier, createAuthentication } from './auth/authenticate.ts';
import { createOidcClient } from './auth/oidc-client.ts';
import { createOidcSessionsRepository } from './auth/oidc-sessions.repository.ts';
import type { OidcSettings } from './auth/oidc-settings.ts';
import { oidcVerifier } from './auth/oidc-verifier.ts';
import { authConfigRoutes, oidcRoutes } from './auth/oidc.routes.ts';
import { createRefreshTokensRepository } from './auth/refresh-tokens.repository.ts';
import { createUsersRepository } from './auth/users.repository.ts';
import { createEventTicketsRepository } from './events/event-tickets.repository.ts';
import type { EventsHub } from './events/events.hub.ts';
import { eventsRoutes } from './events/events.routes.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { createApiMetrics } from './http/metrics.ts';
import { requestLogging } from './http/request-logging.ts';
import { createJobsRepository } from './jobs/jobs.repository.ts';
import { jobsRoutes } from './jobs/jobs.routes.ts';
import { createJobsService } from './jobs/jobs.service.ts';
import { buildOpenApiDocument } from './openapi/openapi.document.ts';
import type { Prober } from './probe/upload-prober.ts';
import { healthRoutes, type HealthDeps } from './routes/health.routes.ts';
import { localStorageRoutes } from './routes/storage.routes.ts';
import { webAppRoutes } from './routes/web-app.routes.ts';
import { streamingRoutes } from './streaming/streaming.routes.ts';
import { createCaptionsRepository } from './tracks/captions.repository.ts';
import { captionsRoutes } from './tracks/captions.routes.ts';
import { createTracksService } from './tracks/tracks.service.ts';
import { createUploadsRepository } from './uploads/uploads.repository.ts';
import { uploadsRoutes } from './uploads/uploads.routes.ts';
import { createUploadsService, type UploadLimits } from './uploads/uploads.service.ts';
import { createVideosRepository } from './videos/videos.repository.ts';
import { videosRoutes } from './videos/videos.routes.ts';
import { createVideosService } from './videos/videos.service.ts';

/** The API's settings, mapped from ApiConfig by main.ts (tests build them directly). */
export interface ApiSettings extends UploadLimits {
  authMode: 'builtin' | 'oidc';
  /** Signs built-in access tokens and stream tokens, and seals TOTP secrets. */
  jwtSecret: string;
  oidc?: OidcSettings | undefined;
  corsOrigins: string[];
  jsonBodyLimit: string;
  /** Requests per minute per client address on the auth routes (shared by replicas). */
  authRateLimitPerMinute: number;
  /** Failed passwords per account (login name) per 15 minutes before sign-in is refused. */
  loginFailureLimit: number;
  /** Wrong authenticator codes per account per 15 minutes before its codes are locked. */
  totpFailureLimit: number;
  /** closed: only the holder of a setup token registers (the first admin). */
  registration: 'open' | 'closed';
  /** Express's `trust proxy`: a hop count, or addresses/CIDRs/names of trusted proxies. */
  trustProxy: number | string[];
  /** The absolute lifetime of a refresh-token family. */
  refreshFamilyLifetimeSeconds: number;
  /** Seals TOTP secrets with the first key, opens them with any. */
  mfaKeyRing: string[];
  /** Concurrent event streams per user and process. */
  maxEventStreamsPerUser: number;
  /** Origins of presigned storage URLs, for the web app's CSP (S3; local is same-origin). */
  storageOrigins: string[];
}

export interface AppDeps extends HealthDeps {
  logger: Logger;
  metrics: Registry;
  settings: ApiSettings;
  probe: Prober;
  events: EventsHub;
  /** The built web app, served at / with the SPA's routes falling back to index.html. */
  webDistDir?: string | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function createApp(deps: AppDeps): Express {
  const { sql, storage, settings } = deps;
  const log = forCategory(deps.logger, 'API');
  const authLog = forCategory(deps.logger, 'AUTH');
  const metrics = createApiMetrics(deps.metrics);

  const users = createUsersRepository(sql);
  const videosRepository = createVideosRepository(sql);
  const jobsRepository = createJobsRepository(sql);
  if (settings.authMode === 'oidc' && !settings.oidc)
    throw new Error('AUTH_MODE=oidc needs OIDC settings');
  const oidc =
    settings.authMode === 'oidc' && settings.oidc
      ? { settings: settings.oidc, client: createOidcClient(settings.oidc) }
      : undefined;
  const verifier = oidc
    ? oidcVerifier({
        settings: oidc.settings,
        jwtSecret: settings.jwtSecret,
        jwksUri: () => oidc.client.jwksUri(),
        users,
      })
    : builtinVerifier(settings.jwtSecret);
  const authn = createAuthentication(verifier, metrics);
  const auth = createAuthService({
    users,
    refreshTokens: createRefreshTokensRepository(sql),
    secret: settings.jwtSecret,
    metrics,
    registration: settings.registration,
    loginFailures: postgresAttemptLimiter(sql, {
      name: 'login-failures',
      points: settings.loginFailureLimit,
      windowSeconds: 15 * 60,
    }),
    totpFailures: postgresAttemptLimiter(sql, {
      name: 'totp-failures',
      points: settings.totpFailureLimit,
      windowSeconds: 15 * 60,
    }),
    refreshFamilyLifetimeSeconds: settings.refreshFamilyLifetimeSeconds,
    mfaKeyRing: settings.mfaKeyRing,
  });
  const videos = createVideosService({
    videos: videosRepository,
    jobs: jobsRepository,
    storage,
    logger: log,
  });
  const jobs = createJobsService({
    sql,
    jobs: jobsRepository,
    videos: videosRepository,
    quotas: settings.quotas,
  });
  const tracks = createTracksService({
    captions: createCaptionsRepository(sql),
    jobs: jobsRepository,
    storage,
    logger: log,
  });
  const uploads = createUploadsService({
    sql,
    uploads: createUploadsRepository(sql),
    videos: videosRepository,
    jobs: jobsRepository,
    storage,
    probe: deps.probe,
    limits: settings,
    metrics,
    logger: forCategory(deps.logger, storage.kind === 's3' ? 'S3' : 'API'),
  });
  // Per client address (req.ip, right behind the proxies TRUST_PROXY names), counted in
  // Postgres so every replica sees the same count.
  const authRateLimit = perClientAddress(
    postgresAttemptLimiter(sql, {
      name: 'auth-ip',
      points: settings.authRateLimitPerMinute,
      windowSeconds: 60,
    }),
    (ip) => {
      metrics.authFailures.inc({ reason: 'rate_limited' });
      authLog.warn({ ip }, 'auth rate limit hit');
    },
  );
  const openApi = buildOpenApiDocument();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxy);
  // helmet's defaults (nosniff, no framing, no referrer, CORP/COOP, ...). The web app's
  // pages get their own CSP from webAppRoutes; API answers are data and need nothing, so
  // theirs allows nothing. HSTS only on HTTPS requests (req.secure honours TRUST_PROXY).
  app.use(
    helmet({
      contentSecurityPolicy: false,
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'no-referrer' },
      // Players and posters may live on a sibling origin (CORS_ORIGINS); not on any site.
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  app.use((req, res, next) => {
    if (req.secure)
      res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (req.path === '/api' || req.path.startsWith('/api/'))
      res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    next();
  });

  // Request ids: honour a well-formed incoming one (from a proxy), otherwise mint one,
  // and put it in every log line written while handling the request.
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    withLogContext({ requestId: id }, next);
  });
  app.use(requestLogging(log));
  app.use(metrics.middleware);

  app.use(healthRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  // Before the JSON parser: signed PUTs stream their bodies straight to disk.
  if (storage.kind === 'local') app.use(localStorageRoutes(storage as LocalStorage));

  app.use(
    '/api',
    cors({
      origin: settings.corsOrigins.length > 0 ? settings.corsOrigins : false,
      exposedHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );
  // Completing a multi-GB multipart upload lists up to thousands of part ETags, and a
  // caption file can be ~500 KiB, so those routes get a larger (still bounded) body.
  const json = express.json({ limit: settings.jsonBodyLimit });
  const partsJson = express.json({ limit: '1mb' });
  app.use('/api', (req, res, next) =>
    (/^\/(uploads\/[^/]+\/complete|videos\/[^/]+\/captions)$/.test(req.path) ? partsJson : json)(
      req,
      res,
      next,
    ),
  );
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(authConfigRoutes(settings.authMode, oidc?.settings));
  // Before authRoutes: in OIDC mode these answer /api/auth/refresh and /logout.
  if (oidc)
    app.use(
      oidcRoutes({
        ...oidc,
        jwtSecret: settings.jwtSecret,
        auth,
        users,
        sessions: createOidcSessionsRepository(sql),
        authn,
        rateLimit: authRateLimit,
        metrics,
        log: authLog,
      }),
    );
  app.use(authRoutes({ mode: settings.authMode, auth, users, authn, rateLimit: authRateLimit }));
  app.use(uploadsRoutes({ uploads, authn }));
  app.use(videosRoutes({ videos, authn }));
  app.use(jobsRoutes({ jobs, authn }));
  app.use(captionsRoutes({ videos: videosRepository, tracks, authn }));
  app.use(
    streamingRoutes({
      videos: videosRepository,
      jobs: jobsRepository,
      storage,
      tracks,
      authn,
      secret: settings.jwtSecret,
    }),
  );
  app.use(
    eventsRoutes({
      hub: deps.events,
      authn,
      tickets: createEventTicketsRepository(sql),
      users,
      maxStreamsPerUser: settings.maxEventStreamsPerUser,
    }),
  );

  if (deps.webDistDir) app.use(webAppRoutes(deps.webDistDir, settings.storageOrigins));

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
