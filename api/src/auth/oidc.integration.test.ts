import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TokenResponse } from '@videoforge/contracts';
import {
  call,
  startApiWithUnreachableOidc,
  startTestApi,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { startOidcProvider, type RunningOidcProvider } from '../../../test/servers/oidc.server.ts';
import type { OidcSettings } from './oidc-settings.ts';

const CLIENT_ID = 'videoforge-web';
const WEB_APP = { 'X-Requested-With': 'videoforge' };
const users = {
  alice: { password: 'alice-pass-1', email: 'alice@example.com', groups: ['videoforge-admins'] },
  bob: { password: 'bob-pass-1', email: 'bob@example.com', groups: ['viewers'] },
};

/**
 * Just enough of a browser to walk the redirects: cookies per host (paths ignored, which
 * only makes the jar more generous than a browser), no JavaScript.
 */
function cookieJar() {
  const jars = new Map<string, Map<string, string>>();
  return {
    header(url: string): string {
      const jar = jars.get(new URL(url).host);
      return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
    },
    store(url: string, headers: Headers) {
      const host = new URL(url).host;
      const jar = jars.get(host) ?? new Map<string, string>();
      jars.set(host, jar);
      for (const line of headers.getSetCookie()) {
        const cookie = parseSetCookie(line);
        if (!cookie.value || (cookie.expires && cookie.expires.getTime() < Date.now()))
          jar.delete(cookie.name);
        else jar.set(cookie.name, cookie.value);
      }
    },
    get(url: string, name: string): string | undefined {
      return jars.get(new URL(url).host)?.get(name);
    },
  };
}
type Jar = ReturnType<typeof cookieJar>;

async function visit(
  jar: Jar,
  url: string,
  init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Response> {
  const cookie = jar.header(url);
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      ...(cookie ? { Cookie: cookie } : {}),
      ...(init.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...init.headers,
    },
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
  });
  jar.store(url, response.headers);
  return response;
}

/** Follows redirects from `url` until one leaves for `stopAt` (an origin) or a page answers. */
async function follow(
  jar: Jar,
  url: string,
  stopAt?: string,
): Promise<{ url: string; response: Response }> {
  let current = url;
  for (let hops = 0; hops < 15; hops++) {
    const response = await visit(jar, current);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location)
      return { url: current, response };
    current = new URL(location, current).href;
    if (stopAt && current.startsWith(stopAt)) return { url: current, response };
  }
  throw new Error('too many redirects');
}

describeWith(['postgres'], 'OIDC sign-in against a real provider (oidc-provider)', () => {
  let api: TestApi;
  /** The same, as a confidential client (with a secret, like a Cognito app client with one). */
  let confidentialApi: TestApi;
  let provider: RunningOidcProvider;
  let settings: OidcSettings;
  const CONFIDENTIAL_ID = 'videoforge-confidential';
  const CLIENT_SECRET = 'a-client-secret-known-to-the-api-only';

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://localhost:${port}`;
    settings = {
      issuer,
      clientId: CLIENT_ID,
      scopes: 'openid email profile groups',
      providerName: 'Test IdP',
      groupsClaim: 'groups',
      adminGroup: 'videoforge-admins',
    };
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: { authMode: 'oidc', oidc: settings },
    });
    confidentialApi = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: {
        authMode: 'oidc',
        oidc: { ...settings, clientId: CONFIDENTIAL_ID, clientSecret: CLIENT_SECRET },
      },
    });
    provider = await startOidcProvider({
      port,
      users,
      clients: [
        {
          client_id: CONFIDENTIAL_ID,
          client_secret: CLIENT_SECRET,
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [`${confidentialApi.base}/api/auth/oidc/callback`],
          post_logout_redirect_uris: [`${confidentialApi.base}/login`],
        },
        {
          client_id: CLIENT_ID,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [`${api.base}/api/auth/oidc/callback`],
          post_logout_redirect_uris: [`${api.base}/login`],
        },
      ],
    });
  });
  afterAll(async () => {
    await api?.close();
    await confidentialApi?.close();
    await provider?.stop();
  });

  /** Starts a sign-in: the API's redirect to the provider, with the transaction cookie. */
  async function start(jar: Jar, base = api.base) {
    const response = await visit(jar, `${base}/api/auth/oidc/start?returnTo=/my-videos`);
    expect(response.status).toBe(303);
    return { response, authorizeUrl: new URL(response.headers.get('location')!) };
  }

  /** The whole sign-in as a browser does it; resolves with the access token. */
  async function signIn(
    jar: Jar,
    username: keyof typeof users,
    base = api.base,
  ): Promise<TokenResponse> {
    const { authorizeUrl } = await start(jar, base);
    const { url: loginUrl, response: page } = await follow(jar, authorizeUrl.href);
    expect(await page.text()).toContain('Test identity provider');
    const submitted = await visit(jar, loginUrl, {
      method: 'POST',
      form: { username, password: users[username].password, action: 'login' },
    });
    const back = await follow(
      jar,
      new URL(submitted.headers.get('location')!, loginUrl).href,
      base,
    );
    expect(back.url).toContain('/api/auth/oidc/callback?');
    const landed = await visit(jar, back.url);
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe('/signed-in?to=%2Fmy-videos');
    const refreshed = await visit(jar, `${base}/api/auth/refresh`, {
      method: 'POST',
      headers: WEB_APP,
    });
    expect(refreshed.status).toBe(200);
    return (await refreshed.json()) as TokenResponse;
  }

  describe('the web sign-in (backend-for-frontend)', () => {
    it('says which mode is on and names the provider', async () => {
      const config = await call(api.base, 'GET', '/api/auth/config');
      expect(config.body).toEqual({
        mode: 'oidc',
        providerName: 'Test IdP',
        signInUrl: '/api/auth/oidc/start',
      });
    });

    it('redirects with PKCE S256, state and nonce, in a short-lived Lax HttpOnly cookie', async () => {
      const jar = cookieJar();
      const { response, authorizeUrl } = await start(jar);
      expect(authorizeUrl.origin).toBe(provider.issuer);
      expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
      expect(authorizeUrl.searchParams.get('nonce')).toBeTruthy();
      expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(
        `${api.base}/api/auth/oidc/callback`,
      );
      const [cookie] = response.headers.getSetCookie().map((line) => parseSetCookie(line));
      expect(cookie).toMatchObject({
        name: 'vf_oidc',
        httpOnly: true,
        sameSite: 'lax',
        path: '/api/auth/oidc/callback',
        maxAge: 600,
      });
      // Sealed: nothing of the PKCE verifier or state is readable in it.
      expect(cookie!.value).not.toContain(authorizeUrl.searchParams.get('state')!);
    });

    it('signs in through the provider, maps groups to roles, and never hands out the provider tokens', async () => {
      const aliceJar = cookieJar();
      const alice = await signIn(aliceJar, 'alice');
      expect(alice.user).toMatchObject({
        username: 'alice',
        email: 'alice@example.com',
        role: 'admin',
      });
      expect(alice.refreshToken).toBeUndefined();
      const me = await call(api.base, 'GET', '/api/auth/me', { token: alice.accessToken });
      expect(me.body).toMatchObject({ username: 'alice', role: 'admin' });
      const bob = await signIn(cookieJar(), 'bob');
      expect(bob.user.role).toBe('user');
      // The stored provider tokens are sealed.
      const [row] = await api.db.sql<{ sealed_refresh_token: string; sealed_id_token: string }[]>`
        SELECT sealed_refresh_token, sealed_id_token FROM oidc_sessions s
        JOIN users u ON u.id = s.user_id WHERE u.username = 'alice'`;
      expect(row!.sealed_refresh_token).toMatch(/^v1\./);
      expect(row!.sealed_id_token).toMatch(/^v1\./);
    });

    it('refreshes at the provider on each refresh, and signs out with its end-session endpoint', async () => {
      const jar = cookieJar();
      const first = await signIn(jar, 'bob');
      const again = await visit(jar, `${api.base}/api/auth/refresh`, {
        method: 'POST',
        headers: WEB_APP,
      });
      expect(again.status).toBe(200);
      const logout = await visit(jar, `${api.base}/api/auth/logout`, {
        method: 'POST',
        headers: { ...WEB_APP, Authorization: `Bearer ${first.accessToken}` },
      });
      expect(logout.status).toBe(200);
      const { endSessionUrl } = (await logout.json()) as { endSessionUrl: string };
      const end = new URL(endSessionUrl);
      expect(`${end.origin}${end.pathname}`).toBe(`${provider.issuer}/session/end`);
      expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${api.base}/login`);
      expect(end.searchParams.get('id_token_hint')).toBeTruthy();
      expect(jar.get(api.base, 'vf_refresh')).toBeUndefined();
      const after = await visit(jar, `${api.base}/api/auth/refresh`, {
        method: 'POST',
        headers: WEB_APP,
      });
      expect(after.status).toBe(401);
    });

    it('signs in as a confidential client too (client secret at the token endpoint, and PKCE)', async () => {
      const jar = cookieJar();
      const { authorizeUrl } = await start(jar, confidentialApi.base);
      expect(authorizeUrl.searchParams.get('client_id')).toBe(CONFIDENTIAL_ID);
      expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
      const alice = await signIn(cookieJar(), 'alice', confidentialApi.base);
      expect(alice.user).toMatchObject({ username: 'alice', role: 'admin' });
    });

    it('follows a group change at the provider on the next refresh', async () => {
      const jar = cookieJar();
      const before = await signIn(jar, 'bob');
      expect(before.user.role).toBe('user');
      users.bob.groups = ['videoforge-admins'];
      try {
        const after = await visit(jar, `${api.base}/api/auth/refresh`, {
          method: 'POST',
          headers: WEB_APP,
        });
        expect(((await after.json()) as TokenResponse).user.role).toBe('admin');
      } finally {
        users.bob.groups = ['viewers'];
      }
    });

    it('ends the session here when the provider ended it (its refresh token refused)', async () => {
      const jar = cookieJar();
      await signIn(jar, 'alice');
      // Sign out at the provider only (another tab, an admin, a session timeout there).
      const confirm = await visit(jar, `${provider.issuer}/session/end`);
      const page = await confirm.text();
      const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(page)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
      expect(action && xsrf, page).toBeTruthy();
      const ended = await visit(jar, new URL(action!, provider.issuer).href, {
        method: 'POST',
        form: { xsrf: xsrf!, logout: 'yes' },
      });
      expect(ended.status).toBeLessThan(400);
      const refreshed = await visit(jar, `${api.base}/api/auth/refresh`, {
        method: 'POST',
        headers: WEB_APP,
      });
      expect(refreshed.status).toBe(401);
      expect(await refreshed.json()).toMatchObject({ error: { code: 'session_ended' } });
      // The whole family is gone: the cookie cannot be tried again.
      expect(jar.get(api.base, 'vf_refresh')).toBeUndefined();
    });

    it('explains a state mismatch, a missing transaction and a cancel at the provider', async () => {
      const jar = cookieJar();
      const { authorizeUrl } = await start(jar);
      const state = authorizeUrl.searchParams.get('state')!;
      const callback = `${api.base}/api/auth/oidc/callback`;

      const iss = encodeURIComponent(provider.issuer);
      const forged = await visit(jar, `${callback}?code=abc&state=not-${state}&iss=${iss}`);
      expect(forged.headers.get('location')).toBe('/login?error=state_mismatch');

      const noCookie = await visit(cookieJar(), `${callback}?code=abc&state=${state}&iss=${iss}`);
      expect(noCookie.headers.get('location')).toBe('/login?error=state_mismatch');

      const cancelJar = cookieJar();
      const { authorizeUrl: again } = await start(cancelJar);
      const { url: loginUrl } = await follow(cancelJar, again.href);
      const cancelled = await visit(cancelJar, loginUrl, {
        method: 'POST',
        form: { action: 'cancel' },
      });
      const back = await follow(
        cancelJar,
        new URL(cancelled.headers.get('location')!, loginUrl).href,
        api.base,
      );
      expect(new URL(back.url).searchParams.get('error')).toBe('access_denied');
      const landed = await visit(cancelJar, back.url);
      expect(landed.headers.get('location')).toBe('/login?error=cancelled');
    });
  });

  describe('bearer tokens from the provider (issue 15, item 12)', () => {
    const idToken = (claims: Record<string, unknown>, expiresAt?: number) =>
      provider.signToken(
        { sub: 'carol-sub', preferred_username: 'carol', groups: ['viewers'], ...claims },
        expiresAt === undefined ? {} : { expiresAt },
      );
    const me = async (token: string) => call(api.base, 'GET', '/api/auth/me', { token });

    it('accepts our client id as audience, and Cognito access tokens by client_id and token_use', async () => {
      expect((await me(await idToken({ aud: CLIENT_ID }))).status).toBe(200);
      const cognitoAccess = await idToken({
        token_use: 'access',
        client_id: CLIENT_ID,
        username: 'carol',
        groups: ['videoforge-admins'],
      });
      const answer = await me(cognitoAccess);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ role: 'admin' });
    });

    it('refuses another client id or audience, no audience at all, a wrong token_use, and an expired token', async () => {
      const refused = [
        await idToken({ aud: 'another-app' }),
        await idToken({}),
        await idToken({ token_use: 'access', client_id: 'another-app' }),
        await idToken({ token_use: 'access', aud: CLIENT_ID }),
        await idToken({ token_use: 'refresh', aud: CLIENT_ID }),
      ];
      for (const token of refused) {
        const answer = await me(token);
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ error: { code: 'invalid_token' } });
      }
      const expired = await me(
        await idToken({ aud: CLIENT_ID }, Math.floor(Date.now() / 1000) - 60),
      );
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: { code: 'token_expired' } });
    });

    it('writes the users row on first sight and when the role changes, not on every request', async () => {
      const token = await provider.signToken({ sub: 'dave-sub', aud: CLIENT_ID, groups: [] });
      expect((await me(token)).status).toBe(200);
      const version = async () =>
        (
          await api.db.sql<
            { v: string }[]
          >`SELECT xmin::text AS v FROM users WHERE oidc_subject = 'dave-sub'`
        )[0]!.v;
      const first = await version();
      for (let i = 0; i < 3; i++) expect((await me(token)).status).toBe(200);
      expect(await version()).toBe(first);
      const promoted = await provider.signToken({
        sub: 'dave-sub',
        aud: CLIENT_ID,
        groups: ['videoforge-admins'],
      });
      expect((await me(promoted)).body).toMatchObject({ role: 'admin' });
      expect(await version()).not.toBe(first);
    });

    it('refuses the built-in account routes', async () => {
      const register = await call(api.base, 'POST', '/api/auth/register', {
        body: { username: 'x', email: 'x@example.com', password: 'Sup3r!secret' },
      });
      expect(register.status).toBe(404);
    });
  });

  it('keeps the session when the provider is unreachable at refresh time (last: stops the provider)', async () => {
    const jar = cookieJar();
    await signIn(jar, 'bob');
    await provider.stop();
    const refreshed = await visit(jar, `${api.base}/api/auth/refresh`, {
      method: 'POST',
      headers: WEB_APP,
    });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as TokenResponse).user.username).toBe('bob');
  });
});

describeWith(['postgres'], 'OIDC sign-in while the provider is down', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApiWithUnreachableOidc(inject('postgresUrl'));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('sends the browser back to the sign-in page saying the provider is unreachable', async () => {
    const response = await fetch(`${api.base}/api/auth/oidc/start`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?error=provider_unreachable');
  });
});

describeWith(
  ['postgres'],
  'OIDC sign-out with a provider without end_session_endpoint (Cognito)',
  () => {
    let api: TestApi;
    let provider: RunningOidcProvider;
    beforeAll(async () => {
      const port = await freePort();
      api = await startTestApi({
        postgresUrl: inject('postgresUrl'),
        storage: { kind: 'local' },
        settings: {
          authMode: 'oidc',
          oidc: {
            issuer: `http://localhost:${port}`,
            clientId: CLIENT_ID,
            scopes: 'openid',
            providerName: 'Cognito',
            logoutUrl: 'https://videoforge.auth.eu-west-1.amazoncognito.com/logout',
            groupsClaim: 'cognito:groups',
            adminGroup: 'admin',
          },
        },
      });
      provider = await startOidcProvider({
        port,
        users: {},
        clients: [],
        rpInitiatedLogout: false,
      });
    });
    afterAll(async () => {
      await api?.close();
      await provider?.stop();
    });

    it("sends the browser to the hosted UI's /logout with client_id and logout_uri", async () => {
      const token = await provider.signToken({
        sub: 'erin-sub',
        token_use: 'access',
        client_id: CLIENT_ID,
        username: 'erin',
      });
      const logout = await call(api.base, 'POST', '/api/auth/logout', { token });
      expect(logout.status).toBe(200);
      const url = new URL((logout.body as { endSessionUrl: string }).endSessionUrl);
      expect(`${url.origin}${url.pathname}`).toBe(
        'https://videoforge.auth.eu-west-1.amazoncognito.com/logout',
      );
      expect(Object.fromEntries(url.searchParams)).toEqual({
        client_id: CLIENT_ID,
        logout_uri: `${api.base}/login`,
      });
    });
  },
);
