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

function tokens(n: number, expiresIn = 3600) {
  return {
    accessToken: `access-${n}`,
    tokenType: 'Bearer',
    expiresIn,
    refreshToken: `refresh-token-number-${n}`,
    user,
  };
}

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
const bodyOf = (init: RequestInit) => JSON.parse(init.body as string) as Record<string, unknown>;
const authOf = (init: RequestInit) => new Headers(init.headers).get('Authorization');

describe('api client sessions', () => {
  it('keeps the access token in memory and only the refresh token in the store', async () => {
    const store = memoryStore();
    const fetch = fakeFetch(() => json(200, tokens(1)));
    const client = createApiClient({ fetch, store });
    await client.login({ username: 'alice', password: 'x' });
    expect(client.state).toMatchObject({
      status: 'signed-in',
      session: { accessToken: 'access-1' },
    });
    expect(Object.values(store.data)).toEqual(['refresh-token-number-1']);
  });

  it('restores a session from the stored refresh token, rotating it', async () => {
    const store = memoryStore({ 'videoforge.refreshToken': 'refresh-token-number-0' });
    const fetch = fakeFetch((path, init) => {
      expect(path).toBe('/api/auth/refresh');
      expect(bodyOf(init)).toEqual({ refreshToken: 'refresh-token-number-0' });
      return json(200, tokens(1));
    });
    const client = createApiClient({ fetch, store });
    await client.restore();
    expect(client.state.status).toBe('signed-in');
    expect(store.data['videoforge.refreshToken']).toBe('refresh-token-number-1');
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

  it('says the session expired when the stored refresh token is refused on load, and still reads public pages', async () => {
    const store = memoryStore({ 'videoforge.refreshToken': 'refresh-token-number-0' });
    const fetch = fakeFetch((path, init) =>
      path === '/api/auth/refresh'
        ? error(401, 'invalid_token')
        : json(200, { auth: authOf(init) }),
    );
    const client = createApiClient({ fetch, store });
    await client.restore();
    expect(client.state).toEqual({ status: 'signed-out', expired: true });
    expect(await client.request('GET', '/api/videos')).toEqual({ auth: null });
  });

  it('keeps the stored token when the API cannot be reached on load', async () => {
    const store = memoryStore({ 'videoforge.refreshToken': 'refresh-token-number-0' });
    const client = createApiClient({ fetch: fakeFetch(() => error(503, 'unavailable')), store });
    await client.restore();
    expect(client.state).toEqual({ status: 'signed-out', expired: false });
    expect(store.data['videoforge.refreshToken']).toBe('refresh-token-number-0');
  });

  it('refreshes under the cross-tab lock and re-reads the token another tab rotated', async () => {
    const store = memoryStore({ 'videoforge.refreshToken': 'refresh-token-number-0' });
    const names: string[] = [];
    const withLock = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
      names.push(name);
      store.data['videoforge.refreshToken'] = 'rotated-by-another-tab'; // happened while we waited
      return body();
    };
    const fetch = fakeFetch((_path, init) => {
      expect(bodyOf(init)).toEqual({ refreshToken: 'rotated-by-another-tab' });
      return json(200, tokens(3));
    });
    const client = createApiClient({ fetch, store, withLock });
    await client.restore();
    expect(names).toEqual(['videoforge-refresh']);
    expect(client.state.status).toBe('signed-in');
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

  it('logs out on the server and locally', async () => {
    const store = memoryStore();
    const fetch = fakeFetch((path) =>
      path === '/api/auth/logout' ? new Response(null, { status: 204 }) : json(200, tokens(1)),
    );
    const client = createApiClient({ fetch, store });
    await client.login({ username: 'alice', password: 'x' });
    await client.logout();
    expect(fetch.mock.calls.map(([path]) => path)).toContain('/api/auth/logout');
    expect(client.state).toEqual({ status: 'signed-out', expired: false });
    expect(store.data).toEqual({});
  });
});
