import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from '@videoforge/platform/metrics';

export interface ApiMetrics {
  middleware: RequestHandler;
  uploads: Counter<'outcome'>;
  authFailures: Counter<'reason'>;
  totpLockouts: Counter;
}

/**
 * Request duration by route template (never the raw path, whose ids would explode the
 * label set) and status; upload outcomes; authentication failures by reason.
 */
export function createApiMetrics(registry: Registry): ApiMetrics {
  const duration = new Histogram({
    name: 'videoforge_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const uploads = new Counter({
    name: 'videoforge_uploads_total',
    help: 'Uploads by outcome: created, completed, rejected, aborted',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'videoforge_auth_failures_total',
    help: 'Refused authentications by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const totpLockouts = new Counter({
    name: 'videoforge_auth_totp_lockouts_total',
    help: 'Accounts whose authenticator codes were locked after too many wrong ones',
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const template = req.route
        ? `${req.baseUrl}${String((req.route as { path: unknown }).path)}`
        : 'unmatched';
      end({ method: req.method, route: template, status: String(res.statusCode) });
    });
    next();
  };
  return { middleware, uploads, authFailures, totpLockouts };
}
