import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiErrorBody } from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';

/** An error meant for the client: its code, message and details are sent as they are. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function errorBody(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): ApiErrorBody {
  return { error: { code, message, details } };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/**
 * The one place errors become responses. Anything that is not an HttpError is a bug
 * or an outage: logged with its stack, answered with a generic 500 that leaks nothing.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) {
      res.status(error.status).json(errorBody(error.code, error.message, error.details));
      return;
    }
    // body-parser and friends mark client errors with a status.
    const status =
      typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status >= 400 && status < 500) {
      const type =
        'type' in (error as object) ? String((error as { type: unknown }).type) : 'bad_request';
      res.status(status).json(errorBody(type.replace(/\./g, '_'), (error as Error).message));
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    res
      .status(500)
      .json(
        errorBody(
          'internal_error',
          'something went wrong; the request id is in the X-Request-Id header',
        ),
      );
  };
}
