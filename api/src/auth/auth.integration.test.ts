import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MfaSetupResponse, TokenResponse, User } from '@videoforge/contracts';
import {
  call,
  startTestApi,
  TEST_JWT_SECRET,
  type TestApi,
} from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';

const password = 'Sup3r!secret';

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

  it('registers with the password policy, the first account as admin, and refuses duplicates', async () => {
    const weak = await call(api.base, 'POST', '/api/auth/register', {
      body: { username: 'weak', email: 'weak@example.com', password: 'password' },
    });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body)).toContain('upper-case');
    const first = await register('root');
    expect(first.user).toMatchObject({ username: 'root', role: 'admin', mfaEnabled: false });
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
    const verified = await call(api.base, 'POST', '/api/auth/mfa/verify', {
      token: accessToken,
      body: { code: await generate({ secret: setup.secret }) },
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
    const code = await generate({ secret: setup.secret });
    const withCode = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: 'mfa-user', password, totpCode: code },
    });
    expect(withCode.status).toBe(200);

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

describeWith(['postgres'], 'OIDC auth against a local JWKS', () => {
  let api: TestApi;
  let jwks: Server;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  const issuer = 'https://issuer.example/pool';

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    otherKey = (await generateKeyPair('RS256')).privateKey;
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] })),
    );
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: {
        authMode: 'oidc',
        oidc: {
          issuer,
          audience: 'videoforge',
          jwksUrl,
          groupsClaim: 'cognito:groups',
          adminGroup: 'admin',
        },
      },
    });
  });
  afterAll(async () => {
    await api?.close();
    jwks?.close();
  });

  const token = (claims: Record<string, unknown>, key: CryptoKey = privateKey, iss = issuer) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(iss)
      .setAudience('videoforge')
      .setSubject('sub-123')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);

  describe('tokens from the issuer', () => {
    it('creates the account on first sight with its role from the groups claim', async () => {
      const admin = await call(api.base, 'GET', '/api/auth/me', {
        token: await token({
          'cognito:groups': ['admin'],
          'cognito:username': 'olga',
          email: 'olga@example.com',
        }),
      });
      expect(admin.status, JSON.stringify(admin.body)).toBe(200);
      expect(admin.body).toMatchObject({
        username: 'olga',
        role: 'admin',
        email: 'olga@example.com',
      });
      const demoted = await call(api.base, 'GET', '/api/auth/me', {
        token: await token({ 'cognito:groups': [], 'cognito:username': 'olga' }),
      });
      expect(demoted.body).toMatchObject({ username: 'olga', role: 'user' });
    });

    it('refuses foreign keys, other issuers and built-in account routes', async () => {
      expect(
        (await call(api.base, 'GET', '/api/auth/me', { token: await token({}, otherKey) })).status,
      ).toBe(401);
      expect(
        (
          await call(api.base, 'GET', '/api/auth/me', {
            token: await token({}, privateKey, 'https://evil.example'),
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await call(api.base, 'POST', '/api/auth/register', {
            body: { username: 'x', email: 'x@example.com', password },
          })
        ).status,
      ).toBe(404);
    });
  });
});
