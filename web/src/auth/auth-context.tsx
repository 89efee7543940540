import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { ApiClient, SessionState } from '../lib/api-client.ts';

const ApiContext = createContext<ApiClient | undefined>(undefined);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  useEffect(() => {
    void client.restore();
  }, [client]);
  return <ApiContext value={client}>{children}</ApiContext>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside <ApiProvider>');
  return client;
}

export function useSession(): SessionState {
  const client = useApi();
  return useSyncExternalStore(
    (listener) => client.subscribe(listener),
    () => client.state,
  );
}

/** Pages that need an account: wait for the session, then send strangers to /login. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading')
    return (
      <p className="p-8 text-center text-slate-500" role="status">
        Loading…
      </p>
    );
  if (session.status === 'signed-out')
    return (
      <Navigate
        to="/login"
        replace
        state={{ from: `${location.pathname}${location.search}`, expired: session.expired }}
      />
    );
  return children;
}
