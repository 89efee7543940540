import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from './exit-codes.ts';

export interface RetryOptions {
  tries: number;
  baseMs: number;
  maxMs: number;
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { tries: 6, baseMs: 500, maxMs: 15_000 };

/** Exponential backoff with full jitter; only transient errors are retried. */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: RetryOptions,
  random = Math.random,
): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

export async function withRetry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= options.tries) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(attempt, error, delay);
      await sleep(delay);
    }
  }
}
