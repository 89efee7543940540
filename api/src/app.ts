import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import { forCategory, withLogContext, type Logger } from '@videoforge/platform/logging';
import type { Registry } from '@videoforge/platform/metrics';
import type { LocalStorage } from '@videoforge/platform/storage';
import { createAuthService } from './auth/auth.service.ts';
import { authRoutes } from './auth/auth.routes.ts';
import {
  builtinVerifier,
  createAuthentication,
  oidcVerifier,
  type OidcSettings,
} from './auth/authenticate.ts';
import { createRefreshTokensRepository } from './auth/refresh-tokens.repository.ts';
import { createUsersRepository } from './auth/users.repository.ts';
import type { EventsHub } from './events/events.hub.ts';
import { eventsRoutes } from './events/events.routes.ts';
import { errorHandler, HttpError, notFound } from './http/errors.ts';
import { createApiMetrics } from './http/metrics.ts';
import { createJobsRepository } from './jobs/jobs.repository.ts';
import { jobsRoutes } from './jobs/jobs.routes.ts';
import { createJobsService } from './jobs/jobs.service.ts';
import { buildOpenApiDocument } from './openapi/openapi.document.ts';
import type { Prober } from './probe/upload-prober.ts';
import { healthRoutes, type HealthDeps } from './routes/health.routes.ts';
import { localStorageRoutes } from './routes/storage.routes.ts';
import { webAppRoutes } from './routes/web-app.routes.ts';
import { streamingRoutes } from './streaming/streaming.routes.ts';
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
  authRateLimitPerMinute: number;
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
  const verifier =
    settings.authMode === 'oidc' && settings.oidc
      ? oidcVerifier(settings.oidc, users)
      : builtinVerifier(settings.jwtSecret);
  const authn = createAuthentication(verifier, metrics);
  const auth = createAuthService({
    users,
    refreshTokens: createRefreshTokensRepository(sql),
    secret: settings.jwtSecret,
    metrics,
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
  const authRateLimit = rateLimit({
    windowMs: 60_000,
    limit: settings.authRateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, _res, next) => {
      metrics.authFailures.inc({ reason: 'rate_limited' });
      authLog.warn({ ip: req.ip, path: req.path }, 'auth rate limit hit');
      next(new HttpError(429, 'rate_limited', 'too many attempts; wait a minute and try again'));
    },
  });
  const openApi = buildOpenApiDocument();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  // Request ids: honour a well-formed incoming one (from a proxy), otherwise mint one,
  // and put it in every log line written while handling the request.
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    withLogContext({ requestId: id }, next);
  });
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (_req, res) => String(res.getHeader('X-Request-Id')),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      // The path only: query strings may carry tokens (events stream, stream tokens).
      serializers: {
        req: (req: { method: string; url: string }) => ({
          method: req.method,
          url: req.url.split('?')[0],
        }),
      },
    }),
  );
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
  // Completing a multi-GB multipart upload lists up to thousands of part ETags, so
  // that one route gets a larger (still bounded) body than the rest.
  const json = express.json({ limit: settings.jsonBodyLimit });
  const partsJson = express.json({ limit: '1mb' });
  app.use('/api', (req, res, next) =>
    (/^\/uploads\/[^/]+\/complete$/.test(req.path) ? partsJson : json)(req, res, next),
  );
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(authRoutes({ mode: settings.authMode, auth, users, authn, rateLimit: authRateLimit }));
  app.use(uploadsRoutes({ uploads, authn }));
  app.use(videosRoutes({ videos, authn }));
  app.use(jobsRoutes({ jobs, authn }));
  app.use(
    streamingRoutes({
      videos: videosRepository,
      jobs: jobsRepository,
      storage,
      authn,
      secret: settings.jwtSecret,
    }),
  );
  app.use(
    eventsRoutes({
      hub: deps.events,
      authn: createAuthentication(verifier, metrics, { allowQueryToken: true }),
    }),
  );

  if (deps.webDistDir) app.use(webAppRoutes(deps.webDistDir));

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
