import { useEffect, useState } from 'react';
import type { AuthConfigResponse } from '@videoforge/contracts';
import type { ApiClient } from '../lib/api-client.ts';
import { useApi } from './auth-context.tsx';

// Fixed for the life of the API process, so fetched once per page load and client.
const loaded = new WeakMap<ApiClient, Promise<AuthConfigResponse>>();

/**
 * How this install signs people in; undefined while loading. An unreachable API reads
 * as builtin, whose form then shows the API's own error when submitted.
 */
export function useAuthConfig(): AuthConfigResponse | undefined {
  const api = useApi();
  const [config, setConfig] = useState<AuthConfigResponse | undefined>();
  useEffect(() => {
    let current = true;
    let pending = loaded.get(api);
    if (!pending) {
      pending = api.authConfig().catch((): AuthConfigResponse => {
        // Not remembered: the next page that asks tries again.
        loaded.delete(api);
        return { mode: 'builtin' };
      });
      loaded.set(api, pending);
    }
    void pending.then((value) => {
      if (current) setConfig(value);
    });
    return () => {
      current = false;
    };
  }, [api]);
  return config;
}
