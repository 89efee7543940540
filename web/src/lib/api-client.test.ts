import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  createApiClient,
  SessionExpiredError,
  type KeyValueStore,
} from './api-client.ts';

const user = {
  id: '1',
  username: 'alice',
  email: 'alice@example.com',
  role: 'user',
  mfaEnabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** What the API answers the web app: no refresh token in the body, only the HttpOnly cookie. */
function tokens(n: number, expiresIn = 3600) {
  return { accessToken: `access-${n}`, tokenType: 'Bearer', expiresIn, user };
}

const SIGNED_IN = { 'videoforge.session': '1' };

function memoryStore(
  initial: Record<string, string> = {},
): KeyValueStore & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => data[key] ?? null,
    setItem: (key, value) => {
      data[key] = value;
    },
    removeItem: (key) => {
      delete data[key];
    },
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const error = (status: number, code: string) =>
  json(status, { error: { code, message: `${code}!`, details: {} } });

type Handler = (path: string, init: RequestInit) => Response | Promise<Response>;
function fakeFetch(handler: Handler) {
  return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) =>
    handler(input instanceof Request ? input.url : input.toString(), init ?? {}),
  );
}
const authOf = (init: RequestInit) => new Headers(init.headers).get('Authorization');
const headerOf = (init: RequestInit, name: string) => new Headers(init.headers).get(name);

/** One lock shared by several clients, as navigator.locks is shared by a browser's tabs. */
function sharedLock() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(_name: string, body: () => Promise<T>): Promise<T> => {
    const run = tail.then(body);
    tail = run.catch(() => undefined);
    return run;
  };
}

describe('api client sessions', () => {
  it('keeps the access token in memory and stores no token, only a signed-in marker', async () => {
    const store = memoryStore();
    const fetch = fakeFetch((_path, init) => {
      // The header makes the API leave the refresh token out of the body (cookie only).
      expect(headerOf(init, 'X-Requested-With')).toBe('videoforge');
      expect(init.credentials).toBe('same-origin');
      return json(200, tokens(1));
    });
    const client = createApiClient({ fetch, store });
    await client.login({ username: 'alice', password: 'x' });
    expect(client.state).toMatchObject({
      status: 'signed-in',
      session: { accessToken: 'access-1' },
    });
    expect(store.data).toEqual(SIGNED_IN);
  });

  it('restores a session by the refresh cookie: no body, same-origin credentials and the header', async () => {
    const store = memoryStore(SIGNED_IN);
    const fetch = fakeFetch((path, init) => {
      expect(path).toBe('/api/auth/refresh');
      expect(init.method).toBe('POST');
      expect(init.body).toBeUndefined();
      expect(init.credentials).toBe('same-origin');
      expect(headerOf(init, 'X-Requested-With')).toBe('videoforge');
      return json(200, tokens(1));
    });
    const client = createApiClient({ fetch, store });
    await client.restore();
    expect(client.state).toMatchObject({
      status: 'signed-in',
      session: { accessToken: 'access-1' },
    });
  });

  it('does not try to refresh on load when this browser was never signed in', async () => {
    const fetch = fakeFetch(() => error(401, 'unauthenticated'));
    const client = createApiClient({ fetch, store: memoryStore() });
    await client.restore();
    expect(client.state).toEqual({ status: 'signed-out', expired: false });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refreshes once for concurrent requests when the access token is about to expire', async () => {
    let now = 0;
    const store = memoryStore();
    let refreshes = 0;
    const fetch = fakeFetch((path, init) => {
      if (path === '/api/auth/login') return json(200, tokens(1, 120));
      if (path === '/api/auth/refresh') {
        refreshes++;
        return json(200, tokens(2));
      }
      return json(200, { auth: authOf(init) });
    });
    const client = createApiClient({ fetch, store, now: () => now });
    await client.login({ username: 'alice', password: 'x' });
    expect(await client.request('GET', '/api/videos/mine')).toEqual({ auth: 'Bearer access-1' });
    now = 90_000; // 30 s left: refresh first
    const results = await Promise.all([
      client.request('GET', '/api/videos/mine'),
      client.request('GET', '/api/jobs'),
    ]);
    expect(results).toEqual([{ auth: 'Bearer access-2' }, { auth: 'Bearer access-2' }]);
    expect(refreshes).toBe(1);
  });

  it('retries once with a fresh token when the server says the token expired', async () => {
    const store = memoryStore();
    const fetch = fakeFetch((path, init) => {
      if (path === '/api/auth/login') return json(200, tokens(1));
      if (path === '/api/auth/refresh') return json(200, tokens(2));
      return authOf(init) === 'Bearer access-1'
        ? error(401, 'token_expired')
        : json(200, { ok: true });
    });
    const client = createApiClient({ fetch, store });
    await client.login({ username: 'alice', password: 'x' });
    expect(await client.request('GET', '/api/videos/mine')).toEqual({ ok: true });
  });

  it('signs out with "expired" when the refresh token is refused, so the UI can say so', async () => {
    const store = memoryStore();
    const fetch = fakeFetch((path) => {
      if (path === '/api/auth/login') return json(200, tokens(1));
      if (path === '/api/auth/refresh') return error(401, 'invalid_token');
      return error(401, 'token_expired');
    });
    const client = createApiClient({ fetch, store });
    await client.login({ username: 'alice', password: 'x' });
    await expect(client.request('GET', '/api/videos/mine')).rejects.toBeInstanceOf(
      SessionExpiredError,
    );
    expect(client.state).toEqual({ status: 'signed-out', expired: true });
    expect(store.data).toEqual({});
  });

  it('says the session expired when the refresh cookie is refused on load, and still reads public pages', async () => {
    const store = memoryStore(SIGNED_IN);
    const fetch = fakeFetch((path, init) =>
      path === '/api/auth/refresh'
        ? error(401, 'invalid_token')
        : json(200, { auth: authOf(init) }),
    );
    const client = createApiClient({ fetch, store });
    await client.restore();
    expect(client.state).toEqual({ status: 'signed-out', expired: true });
    expect(store.data).toEqual({});
    expect(await client.request('GET', '/api/videos')).toEqual({ auth: null });
  });

  it('keeps the signed-in marker when the API cannot be reached on load', async () => {
    const store = memoryStore(SIGNED_IN);
    const client = createApiClient({ fetch: fakeFetch(() => error(503, 'unavailable')), store });
    await client.restore();
    expect(client.state).toEqual({ status: 'signed-out', expired: false });
    expect(store.data).toEqual(SIGNED_IN);
  });

  it('refreshes under the cross-tab lock, so two tabs never present the same rotating cookie', async () => {
    // The browser's cookie jar and an API that rotates the cookie and refuses reuse.
    let cookie = 'refresh-0';
    const used = new Set<string>();
    let issued = 0;
    const fetch = fakeFetch(async (path) => {
      expect(path).toBe('/api/auth/refresh');
      const presented = cookie;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (used.has(presented)) return error(401, 'invalid_token');
      used.add(presented);
      issued++;
      cookie = `refresh-${issued}`;
      return json(200, tokens(issued));
    });
    const withLock = sharedLock();
    const store = memoryStore(SIGNED_IN); // localStorage, shared by the tabs
    const tabs = [1, 2].map(() => createApiClient({ fetch, store, withLock }));
    await Promise.all(tabs.map((tab) => tab.restore()));
    expect(tabs.map((tab) => tab.state.status)).toEqual(['signed-in', 'signed-in']);
    expect([...used]).toEqual(['refresh-0', 'refresh-1']);
  });

  it('turns error bodies into ApiErrors and refuses required auth when signed out', async () => {
    const client = createApiClient({
      fetch: fakeFetch(() => error(422, 'not_a_video')),
      store: memoryStore(),
    });
    await client.restore();
    const failure = await client.request('GET', '/api/videos').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 422, code: 'not_a_video', message: 'not_a_video!' });
    await expect(
      client.request('GET', '/api/videos/mine', { auth: 'required' }),
    ).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('logs out on the server (which clears the cookie) and locally', async () => {
    const store = memoryStore();
    const fetch = fakeFetch((path, init) => {
      if (path !== '/api/auth/logout') return json(200, tokens(1));
      expect(init.body).toBeUndefined();
      expect(authOf(init)).toBe('Bearer access-1');
      return new Response(null, { status: 204 });
    });
    const client = createApiClient({ fetch, store });
    await client.login({ username: 'alice', password: 'x' });
    await client.logout();
    expect(fetch.mock.calls.map(([path]) => path)).toContain('/api/auth/logout');
    expect(client.state).toEqual({ status: 'signed-out', expired: false });
    expect(store.data).toEqual({});
  });
});
