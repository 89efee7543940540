import { parseSetCookie, type SetCookie } from 'cookie';
import { SignJWT, UnsecuredJWT } from 'jose';
import { generate } from 'otplib';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { MfaSetupResponse, TokenResponse, User } from '@videoforge/contracts';
import {
  call,
  startTestApi,
  TEST_JWT_SECRET,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';

const password = 'Sup3r!secret';
const WEB_APP = { 'X-Requested-With': 'videoforge' };

/** The one `vf_refresh` Set-Cookie of a response. */
function refreshCookieOf(headers: Headers): SetCookie {
  const cookies = headers
    .getSetCookie()
    .map((line) => parseSetCookie(line))
    .filter((cookie) => cookie.name === 'vf_refresh');
  expect(cookies).toHaveLength(1);
  return cookies[0]!;
}
const cookieHeader = (value: string) => ({ Cookie: `vf_refresh=${value}` });

describeWith(['postgres'], 'built-in auth', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  const register = async (username: string) => {
    const response = await call(api.base, 'POST', '/api/auth/register', {
      body: { username, email: `${username}@example.com`, password },
    });
    expect(response.status).toBe(201);
    return response.body as TokenResponse;
  };

  it('registers with the password policy, never as admin (not even the first account), and refuses duplicates', async () => {
    const weak = await call(api.base, 'POST', '/api/auth/register', {
      body: { username: 'weak', email: 'weak@example.com', password: 'password' },
    });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body)).toContain('upper-case');
    const first = await register('root');
    expect(first.user).toMatchObject({ username: 'root', role: 'user', mfaEnabled: false });
    expect(first.expiresIn).toBe(3600);
    const second = await register('user2');
    expect(second.user.role).toBe('user');
    const duplicate = await call(api.base, 'POST', '/api/auth/register', {
      body: { username: 'ROOT', email: 'x@example.com', password },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ error: { code: 'conflict' } });
  });

  it('logs in, answers me, rotates refresh tokens and revokes the family on reuse', async () => {
    await register('rita');
    expect(
      (
        await call(api.base, 'POST', '/api/auth/login', {
          body: { username: 'rita', password: 'Wrong!pass1' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await call(api.base, 'POST', '/api/auth/login', { body: { username: 'nobody', password } }))
        .body,
    ).toMatchObject({ error: { code: 'invalid_credentials' } });
    const login = (
      await call(api.base, 'POST', '/api/auth/login', {
        body: { username: 'RITA@example.com', password },
      })
    ).body as TokenResponse;
    const me = await call(api.base, 'GET', '/api/auth/me', { token: login.accessToken });
    expect(me.body).toMatchObject({ username: 'rita', role: 'user' });

    const first = await call(api.base, 'POST', '/api/auth/refresh', {
      body: { refreshToken: login.refreshToken },
    });
    expect(first.status).toBe(200);
    const rotated = first.body as TokenResponse;
    expect(rotated.refreshToken).not.toBe(login.refreshToken);
    // Replaying the used token revokes the whole family, the new token included.
    expect(
      (
        await call(api.base, 'POST', '/api/auth/refresh', {
          body: { refreshToken: login.refreshToken },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(api.base, 'POST', '/api/auth/refresh', {
          body: { refreshToken: rotated.refreshToken },
        })
      ).status,
    ).toBe(401);

    const again = (
      await call(api.base, 'POST', '/api/auth/login', { body: { username: 'rita', password } })
    ).body as TokenResponse;
    expect(
      (
        await call(api.base, 'POST', '/api/auth/logout', {
          token: again.accessToken,
          body: { refreshToken: again.refreshToken },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(api.base, 'POST', '/api/auth/refresh', {
          body: { refreshToken: again.refreshToken },
        })
      ).status,
    ).toBe(401);
  });

  it('sets the refresh token as an HttpOnly, SameSite=Strict cookie on register and login', async () => {
    const cli = await call(api.base, 'POST', '/api/auth/register', {
      body: { username: 'carla', email: 'carla@example.com', password },
    });
    expect(cli.status).toBe(201);
    const cookie = refreshCookieOf(cli.headers);
    expect(cookie).toMatchObject({
      value: (cli.body as TokenResponse).refreshToken,
      httpOnly: true,
      sameSite: 'strict',
      path: '/api/auth',
      maxAge: 30 * 24 * 3600,
    });
    expect(cookie.secure).toBeFalsy();
    expect(cookie.value).toMatch(/^[0-9a-f-]{36}\.[\w-]{43}$/);

    // The web app names itself: the refresh token is then only in the cookie, never in JSON.
    const browser = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: 'carla', password },
      headers: WEB_APP,
    });
    expect(browser.status).toBe(200);
    expect(browser.body).toMatchObject({ tokenType: 'Bearer', user: { username: 'carla' } });
    expect(browser.body).not.toHaveProperty('refreshToken');
    expect(refreshCookieOf(browser.headers)).toMatchObject({ httpOnly: true, sameSite: 'strict' });

    // HTTPS behind a proxy on loopback (trust proxy): the cookie is Secure.
    const https = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: 'carla', password },
      headers: { ...WEB_APP, 'X-Forwarded-Proto': 'https' },
    });
    expect(refreshCookieOf(https.headers)).toMatchObject({ secure: true, path: '/api/auth' });
  });

  it('refreshes by cookie only with X-Requested-With, rotating the cookie, and logout clears it', async () => {
    const registered = await call(api.base, 'POST', '/api/auth/register', {
      body: { username: 'cora', email: 'cora@example.com', password },
      headers: WEB_APP,
    });
    const first = refreshCookieOf(registered.headers).value!;
    const { accessToken } = registered.body as TokenResponse;

    // Neither a body token nor a cookie; a cookie without the header (CSRF defence).
    const none = await call(api.base, 'POST', '/api/auth/refresh', { headers: WEB_APP });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: { code: 'unauthenticated', details: {} } });
    const noHeader = await call(api.base, 'POST', '/api/auth/refresh', {
      headers: cookieHeader(first),
    });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body).toMatchObject({ error: { code: 'forbidden' } });
    const wrongHeader = await call(api.base, 'POST', '/api/auth/refresh', {
      headers: { ...cookieHeader(first), 'X-Requested-With': 'XMLHttpRequest' },
    });
    expect(wrongHeader.status).toBe(403);
    const malformed = await call(api.base, 'POST', '/api/auth/refresh', {
      headers: { ...cookieHeader('short'), ...WEB_APP },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      error: { code: 'validation_failed', details: { issues: [{ path: 'cookies.vf_refresh' }] } },
    });

    // With the header (and no body at all): new tokens, a rotated cookie, none in JSON.
    const refreshed = await call(api.base, 'POST', '/api/auth/refresh', {
      headers: { ...cookieHeader(first), ...WEB_APP },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refreshToken');
    expect((refreshed.body as TokenResponse).user.username).toBe('cora');
    const second = refreshCookieOf(refreshed.headers);
    expect(second).toMatchObject({ httpOnly: true, sameSite: 'strict', path: '/api/auth' });
    expect(second.value).not.toBe(first);
    // An empty JSON body is the same as none.
    const third = await call(api.base, 'POST', '/api/auth/refresh', {
      body: {},
      headers: { ...cookieHeader(second.value!), ...WEB_APP },
    });
    expect(third.status).toBe(200);
    const thirdValue = refreshCookieOf(third.headers).value!;

    // A body token still wins over the cookie (non-browser clients), header or not.
    const login = (
      await call(api.base, 'POST', '/api/auth/login', { body: { username: 'cora', password } })
    ).body as TokenResponse;
    const byBody = await call(api.base, 'POST', '/api/auth/refresh', {
      body: { refreshToken: login.refreshToken },
      headers: cookieHeader('garbage-that-is-ignored'),
    });
    expect(byBody.status).toBe(200);
    expect((byBody.body as TokenResponse).refreshToken).toBe(refreshCookieOf(byBody.headers).value);

    // Logout ends the cookie's session and clears the cookie.
    const logout = await call(api.base, 'POST', '/api/auth/logout', {
      token: accessToken,
      headers: cookieHeader(thirdValue),
    });
    expect(logout.status).toBe(204);
    const cleared = refreshCookieOf(logout.headers);
    expect(cleared).toMatchObject({ value: '', path: '/api/auth', httpOnly: true });
    expect(cleared.expires?.getTime()).toBe(0);
    const afterLogout = await call(api.base, 'POST', '/api/auth/refresh', {
      headers: { ...cookieHeader(thirdValue), ...WEB_APP },
    });
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body).toMatchObject({ error: { code: 'invalid_token' } });
    // A refused cookie is cleared with the error.
    expect(refreshCookieOf(afterLogout.headers).value).toBe('');
    // The other session (logged in by body) is untouched.
    expect(
      (
        await call(api.base, 'POST', '/api/auth/refresh', {
          body: { refreshToken: (byBody.body as TokenResponse).refreshToken },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses missing, tampered, expired, alg:none and foreign-key tokens', async () => {
    const { accessToken, user } = await register('tess');
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const claims = { role: 'admin', username: 'tess' };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('videoforge')
      .setAudience('videoforge-api')
      .setIssuedAt(1_000_000)
      .setExpirationTime(1_003_600)
      .sign(key);
    const none = new UnsecuredJWT(claims)
      .setSubject(user.id)
      .setIssuer('videoforge')
      .setAudience('videoforge-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('videoforge')
      .setAudience('videoforge-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    const [h, p, s] = accessToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), role: 'admin' })).toString('base64url')}.${s}`;

    expect((await call(api.base, 'GET', '/api/auth/me')).body).toMatchObject({
      error: { code: 'unauthenticated' },
    });
    expect((await call(api.base, 'GET', '/api/auth/me', { token: expired })).body).toMatchObject({
      error: { code: 'token_expired' },
    });
    for (const token of [none, foreign, tampered, 'garbage']) {
      const response = await call(api.base, 'GET', '/api/auth/me', { token });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'invalid_token' } });
    }
    expect(
      (await call(api.base, 'GET', '/api/auth/me', { headers: { Authorization: 'Basic abc' } }))
        .status,
    ).toBe(401);
    const metrics = await (await fetch(`${api.base}/metrics`)).text();
    expect(metrics).toMatch(
      /videoforge_auth_failures_total\{reason="invalid",service="api"\} [1-9]/,
    );
  });

  it('blocks login with MFA until the code is given, and removes MFA only with a code', async () => {
    const { accessToken } = await register('mfa-user');
    const setup = (await call(api.base, 'POST', '/api/auth/mfa/setup', { token: accessToken }))
      .body as MfaSetupResponse;
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(
      (
        await call(api.base, 'POST', '/api/auth/mfa/verify', {
          token: accessToken,
          body: { code: '000000' },
        })
      ).status,
    ).toBe(401);
    // Codes of three consecutive 30 s time steps (the API allows ±30 s of clock drift),
    // so each use below claims a later step than the one before; a code works once.
    if (Date.now() % 30_000 > 27_000)
      await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 100));
    const step = Math.floor(Date.now() / 30_000);
    const codeAt = (offset: number) =>
      generate({ secret: setup.secret, epoch: (step + offset) * 30 + 1 });
    const enrolCode = await codeAt(-1);
    const verified = await call(api.base, 'POST', '/api/auth/mfa/verify', {
      token: accessToken,
      body: { code: enrolCode },
    });
    expect((verified.body as User).mfaEnabled).toBe(true);
    const [row] = await api.db.sql<
      { mfa_secret: string }[]
    >`SELECT mfa_secret FROM users WHERE username = 'mfa-user'`;
    expect(row?.mfa_secret).not.toContain(setup.secret);

    const without = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: 'mfa-user', password },
    });
    expect(without.status).toBe(401);
    expect(without.body).toMatchObject({ error: { code: 'mfa_required' } });
    expect(
      (
        await call(api.base, 'POST', '/api/auth/login', {
          body: { username: 'mfa-user', password, totpCode: '123456' },
        })
      ).body,
    ).toMatchObject({ error: { code: 'mfa_invalid' } });
    // The code that finished enrolment was seen once already: replaying it fails.
    expect(
      (
        await call(api.base, 'POST', '/api/auth/login', {
          body: { username: 'mfa-user', password, totpCode: enrolCode },
        })
      ).body,
    ).toMatchObject({ error: { code: 'mfa_invalid' } });
    const code = await codeAt(0);
    const withCode = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: 'mfa-user', password, totpCode: code },
    });
    expect(withCode.status).toBe(200);
    expect(refreshCookieOf(withCode.headers).value).toBe(
      (withCode.body as TokenResponse).refreshToken,
    );

    expect(
      (
        await call(api.base, 'DELETE', '/api/auth/mfa', {
          token: accessToken,
          body: { code: '000000' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await call(api.base, 'DELETE', '/api/auth/mfa', { token: accessToken, body: { code } }))
        .status,
    ).toBe(401);
    expect(
      (
        await call(api.base, 'DELETE', '/api/auth/mfa', {
          token: accessToken,
          body: { code: await codeAt(1) },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(api.base, 'POST', '/api/auth/login', {
          body: { username: 'mfa-user', password },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses oversized and malformed JSON with the one error shape', async () => {
    const big = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: 'x'.repeat(200_000), password },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { code: 'entity_too_large' } });
    const broken = await call(api.base, 'POST', '/api/auth/login', { body: '{"username":' });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: { code: 'entity_parse_failed', details: {} } });
  });

  it('tells the web app that builtin sign-in is on, and has no OIDC routes', async () => {
    expect((await call(api.base, 'GET', '/api/auth/config')).body).toEqual({ mode: 'builtin' });
    expect((await call(api.base, 'GET', '/api/auth/oidc/start')).status).toBe(404);
  });

  it('serves CORS for configured origins only, the OpenAPI document and route metrics', async () => {
    const allowed = await fetch(`${api.base}/api/videos`, {
      headers: { Origin: 'http://app.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.example');
    const other = await fetch(`${api.base}/api/videos`, {
      headers: { Origin: 'http://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const doc = (await call(api.base, 'GET', '/api/openapi.json')).body as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/uploads/{id}/complete']).toBeDefined();

    const metrics = await (await fetch(`${api.base}/metrics`)).text();
    expect(metrics).toMatch(
      /^videoforge_http_request_duration_seconds_count\{.*method="GET",route="\/api\/videos",status="200"\} [1-9]/m,
    );
  });
});

describeWith(['postgres'], 'auth rate limits', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: { authRateLimitPerMinute: 3 },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 429 after the limit', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await call(api.base, 'POST', '/api/auth/login', {
            body: { username: 'x', password: 'y' },
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
