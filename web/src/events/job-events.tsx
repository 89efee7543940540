import { JobEvent } from '@videoforge/contracts';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useApi, useSession } from '../auth/auth-context.tsx';

type Listener = (event: JobEvent) => void;

interface JobEventsHub {
  subscribe(listener: Listener): () => void;
  /** Called after the stream reconnects: a chance to re-read state once, since events may have been missed. */
  onReconnect(listener: () => void): () => void;
  emit(event: JobEvent): void;
  reconnected(): void;
}

function createHub(): JobEventsHub {
  const listeners = new Set<Listener>();
  const reconnectListeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    reconnected() {
      for (const listener of reconnectListeners) listener();
    },
  };
}

const JobEventsContext = createContext<JobEventsHub | undefined>(undefined);

/**
 * One EventSource per signed-in tab on /api/events (the API pushes job changes from
 * Postgres LISTEN/NOTIFY; nothing here polls). EventSource cannot send headers, so the
 * access token goes in the query string. The browser reconnects by itself after a
 * network blip; when the server refuses the token (expired), the stream closes and is
 * reopened with a fresh one, backing off.
 */
export function JobEventsProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const session = useSession();
  const [hub] = useState(createHub);
  const userId = session.status === 'signed-in' ? session.session.user.id : undefined;

  useEffect(() => {
    if (!userId || typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let stopped = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let opens = 0;
    let failures = 0;

    const open = async () => {
      let token: string | undefined;
      try {
        token = await api.accessToken();
      } catch {
        return; // the session ended; the provider re-runs when someone signs in
      }
      if (stopped || !token) return;
      source = new EventSource(`/api/events?access_token=${encodeURIComponent(token)}`);
      source.addEventListener('open', () => {
        failures = 0;
        if (opens++ > 0) hub.reconnected();
      });
      source.addEventListener('job', (message: MessageEvent<string>) => {
        let event: JobEvent;
        try {
          event = JobEvent.parse(JSON.parse(message.data));
        } catch {
          return;
        }
        hub.emit(event);
      });
      source.addEventListener('error', () => {
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        // Refused (e.g. the token expired): reopen with a fresh token, backing off.
        source = undefined;
        const delay = Math.min(30_000, 1000 * 2 ** failures++);
        retryTimer = setTimeout(() => {
          void (async () => {
            await api.refresh().catch(() => undefined);
            await open();
          })();
        }, delay);
      });
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [api, hub, userId]);

  return <JobEventsContext value={hub}>{children}</JobEventsContext>;
}

/** Calls `listener` for every job event of the signed-in user (admins: everyone's). */
export function useJobEvents(listener: Listener, onReconnect?: () => void): void {
  const hub = useContext(JobEventsContext);
  const latest = useRef(listener);
  const latestReconnect = useRef(onReconnect);
  useEffect(() => {
    latest.current = listener;
    latestReconnect.current = onReconnect;
  });
  useEffect(() => {
    if (!hub) return;
    const unsubscribe = hub.subscribe((event) => latest.current(event));
    const unsubscribeReconnect = hub.onReconnect(() => latestReconnect.current?.());
    return () => {
      unsubscribe();
      unsubscribeReconnect();
    };
  }, [hub]);
}
