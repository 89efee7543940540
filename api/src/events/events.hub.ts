import { JOB_EVENTS_CHANNEL, JobEvent, JobEventNotification } from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';

export interface JobChange {
  userId: string;
  event: JobEvent;
  /** This change made the job playable (the events stream sends `event: playable` too). */
  becamePlayable: boolean;
}

export interface EventsHub {
  /**
   * Adds a listener at once (no await, so a stream's close handler is never late);
   * returns its removal. `onClose` runs when the hub closes (the API stopping), so the
   * stream ends and the client reconnects to another replica.
   */
  subscribe(listener: (change: JobChange) => void, onClose?: () => void): () => void;
  /** Resolves once the LISTEN is in place (for tests and readiness). */
  listening(): Promise<void>;
  close(): Promise<void>;
}

export interface EventsHubOptions {
  /** First retry delay after a failed LISTEN; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * One LISTEN per process on JOB_EVENTS_CHANNEL, fanned out to every open events
 * stream: Postgres LISTEN/NOTIFY replaces the original design's Redis job-status
 * cache. postgres.js re-issues the LISTEN when its connection drops; when the LISTEN
 * itself fails (the database is down or refuses), the failed attempt is forgotten and
 * retried with backoff, so one bad moment never ends live updates for good.
 */
export function createEventsHub(
  sql: Sql,
  logger: Logger,
  { retryMs = 500, maxRetryMs = 30_000 }: EventsHubOptions = {},
): EventsHub {
  const listeners = new Set<(change: JobChange) => void>();
  const closers = new Map<(change: JobChange) => void, () => void>();
  let subscription: { unlisten(): Promise<void> } | undefined;
  let attempt: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  const ready: { promise: Promise<void>; resolve: () => void } = (() => {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  })();

  const onNotify = (payload: string) => {
    let parsed: JobEventNotification;
    try {
      parsed = JobEventNotification.parse(JSON.parse(payload));
    } catch (error) {
      logger.warn({ err: error }, 'ignoring a malformed job notification');
      return;
    }
    const change = {
      userId: parsed.userId,
      event: JobEvent.parse(parsed),
      becamePlayable: parsed.becamePlayable === true,
    };
    for (const listener of listeners) listener(change);
  };

  function listen(): void {
    if (closed || subscription || attempt) return;
    attempt = sql
      .listen(JOB_EVENTS_CHANNEL, onNotify, () => {
        if (failures > 0) logger.info({ failures }, 'listening for job events again');
        failures = 0;
        ready.resolve();
      })
      .then(
        (listened) => {
          attempt = undefined;
          if (closed) return void listened.unlisten().catch(() => undefined);
          subscription = listened;
        },
        (error: unknown) => {
          attempt = undefined;
          const delay = Math.min(maxRetryMs, retryMs * 2 ** failures++);
          logger.warn({ err: error, retryInMs: delay }, 'LISTEN for job events failed; retrying');
          clearTimeout(retryTimer);
          retryTimer = setTimeout(listen, delay);
          retryTimer.unref();
        },
      );
  }

  return {
    subscribe(listener, onClose) {
      listen();
      listeners.add(listener);
      if (onClose) closers.set(listener, onClose);
      return () => {
        listeners.delete(listener);
        closers.delete(listener);
      };
    },
    listening() {
      listen();
      return ready.promise;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      for (const onClose of closers.values()) onClose();
      closers.clear();
      listeners.clear();
      await attempt;
      await subscription?.unlisten().catch(() => undefined);
      subscription = undefined;
    },
  };
}
