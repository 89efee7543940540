import type { RequestHandler } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Sql } from '@videoforge/platform/database';
import { HttpError } from '../http/errors.ts';

/**
 * rate-limiter-flexible's Postgres store over our postgres.js client: the store only
 * needs `query({ text, values })` answering `{ rows, rowCount }`. Its table (`rate_limits`) comes
 * from migration 0006, so every replica counts into the same rows.
 */
function storeClient(sql: Sql) {
  return {
    query: async ({ text, values }: { text: string; values?: unknown[] }) => {
      const rows = await sql.unsafe(text, (values ?? []) as never[]);
      return { rows, rowCount: rows.count };
    },
  };
}

/** A counter of attempts per key in a window, shared by every API replica. */
export interface AttemptLimiter {
  /** Counts one attempt; throws a 429 HttpError when the key is over its limit. */
  consume(key: string): Promise<void>;
  /** Seconds until the key may try again, or undefined when it is not blocked. */
  blockedFor(key: string): Promise<number | undefined>;
  /** Counts one failure; true when this failure used the key's last allowance. */
  fail(key: string): Promise<boolean>;
  reset(key: string): Promise<void>;
}

export function postgresAttemptLimiter(
  sql: Sql,
  { name, points, windowSeconds }: { name: string; points: number; windowSeconds: number },
): AttemptLimiter {
  const limiter = new RateLimiterPostgres({
    storeClient: storeClient(sql),
    storeType: 'client',
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: name,
    points,
    duration: windowSeconds,
  });
  const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        throw new HttpError(429, 'rate_limited', 'too many attempts; wait and try again', {
          retryAfterSeconds: seconds(error),
        });
      }
    },
    async blockedFor(key) {
      const state = await limiter.get(key);
      return state && state.consumedPoints >= points ? seconds(state) : undefined;
    },
    async fail(key) {
      try {
        const state = await limiter.consume(key);
        return state.remainingPoints === 0;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false; // already locked
        throw error;
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

/** Express middleware: one attempt per request per client address (`req.ip`, which honours TRUST_PROXY). */
export function perClientAddress(
  limiter: AttemptLimiter,
  onLimited: (ip: string) => void,
): RequestHandler {
  return async (req, res, next) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    try {
      await limiter.consume(`ip:${ip}`);
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) {
        onLimited(ip);
        const retryAfter = error.details.retryAfterSeconds;
        res.setHeader('Retry-After', typeof retryAfter === 'number' ? String(retryAfter) : '60');
      }
      throw error;
    }
    next();
  };
}
