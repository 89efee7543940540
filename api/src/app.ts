import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { forCategory, withLogContext, type Logger } from '@videoforge/platform/logging';
import type { Registry } from '@videoforge/platform/metrics';
import type { LocalStorage } from '@videoforge/platform/storage';
import { errorHandler, notFound } from './http/errors.ts';
import { healthRoutes, type HealthDeps } from './routes/health.routes.ts';
import { localStorageRoutes } from './routes/storage.routes.ts';

export interface AppDeps extends HealthDeps {
  logger: Logger;
  metrics: Registry;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function createApp(deps: AppDeps): Express {
  const log = forCategory(deps.logger, 'API');
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
      serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.split('?')[0] }) },
    }),
  );

  app.use(healthRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  if (deps.storage.kind === 'local') app.use(localStorageRoutes(deps.storage as LocalStorage));

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
