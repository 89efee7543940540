import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@videoforge/platform/logging';

/**
 * The request log, by allow-list: what is written is named here and nothing else is.
 * Headers are never logged (Set-Cookie carries refresh tokens, Location carries
 * presigned URLs, Authorization and Cookie carry credentials), nor query strings
 * (stream tokens, signatures, events tickets). A field added to a request or response
 * stays out of the log until someone adds it below.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req, res) => String(res.getHeader('X-Request-Id')),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { originalUrl?: string; id?: unknown }) => ({
        id: req.id,
        method: req.method,
        path: pathOnly(req.originalUrl ?? req.url ?? ''),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: (err: unknown) => errorSummary(err),
    },
  });
}

function pathOnly(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** An error's type, code, message and stack: never its other properties (query parameters, request objects). */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    stack: err.stack,
  };
}
