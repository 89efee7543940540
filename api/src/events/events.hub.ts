import { JOB_EVENTS_CHANNEL, JobEvent, JobEventNotification } from '@videoforge/contracts';
import type { Sql } from '@videoforge/platform/database';
import type { Logger } from '@videoforge/platform/logging';

export interface JobChange {
  userId: string;
  event: JobEvent;
}

export interface EventsHub {
  subscribe(listener: (change: JobChange) => void): Promise<() => void>;
  close(): Promise<void>;
}

/**
 * One LISTEN per process on JOB_EVENTS_CHANNEL, fanned out to every open events
 * stream: Postgres LISTEN/NOTIFY replaces the original design's Redis job-status
 * cache. postgres.js re-issues the LISTEN after a reconnect.
 */
export function createEventsHub(sql: Sql, logger: Logger): EventsHub {
  const listeners = new Set<(change: JobChange) => void>();
  let listening: Promise<{ unlisten(): Promise<void> }> | undefined;

  const onNotify = (payload: string) => {
    let parsed: JobEventNotification;
    try {
      parsed = JobEventNotification.parse(JSON.parse(payload));
    } catch (error) {
      logger.warn({ err: error }, 'ignoring a malformed job notification');
      return;
    }
    const change = { userId: parsed.userId, event: JobEvent.parse(parsed) };
    for (const listener of listeners) listener(change);
  };

  return {
    async subscribe(listener) {
      listening ??= sql.listen(JOB_EVENTS_CHANNEL, onNotify);
      await listening;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      if (listening) await (await listening).unlisten().catch(() => undefined);
      listening = undefined;
    },
  };
}
