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
 * Postgres LISTEN/NOTIFY; nothing here polls). EventSource cannot send headers, so each
 * stream is opened with a single-use ticket bought with the access token (the token
 * itself never goes in a URL). A ticket opens one stream: when the stream drops or the
 * server ends it (the token it was opened with expired), the browser's own reconnect is
 * refused and the stream is reopened with a fresh ticket, backing off.
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
      let ticket: string;
      try {
        ticket = await api.eventsTicket();
      } catch {
        return; // the session ended; the provider re-runs when someone signs in
      }
      if (stopped) return;
      source = new EventSource(`/api/events?ticket=${encodeURIComponent(ticket)}`);
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
        // Refused (a spent ticket, an expired token): reopen with a fresh ticket, backing off.
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
