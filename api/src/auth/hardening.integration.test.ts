import { PassThrough } from 'node:stream';
import { parseSetCookie } from 'cookie';
import { generate } from 'otplib';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { MfaSetupResponse, TokenResponse } from '@videoforge/contracts';
import { createLogger } from '@videoforge/platform/logging';
import { call, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { bootstrapAdmin, createSetupToken } from './admin-bootstrap.ts';

const password = 'Sup3r!secret';
const account = (username: string, extra: Record<string, unknown> = {}) => ({
  body: { username, email: `${username}@example.com`, password, ...extra },
});
const login = (base: string, username: string, pass = password, headers = {}) =>
  call(base, 'POST', '/api/auth/login', { body: { username, password: pass }, headers });
const refresh = (base: string, refreshToken: string) =>
  call(base, 'POST', '/api/auth/refresh', { body: { refreshToken } });

describeWith(['postgres'], 'the first admin (bootstrap, not a race) and REGISTRATION', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('makes exactly one admin when registrants race with setup tokens, and none without', async () => {
    // Ten strangers race without a token: nobody becomes admin (the first registrant did before).
    const strangers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(api.base, 'POST', '/api/auth/register', account(`stranger${i}`)),
      ),
    );
    expect(strangers.map((r) => (r.body as TokenResponse).user.role)).toEqual(
      Array(10).fill('user'),
    );
    // Two setup tokens (e.g. printed by two replicas) and one of them shared: five racers.
    const [one, two] = [await createSetupToken(api.db.sql), await createSetupToken(api.db.sql)];
    const racers = await Promise.all(
      [one, one, two, two, one].map((setupToken, i) =>
        call(api.base, 'POST', '/api/auth/register', account(`racer${i}`, { setupToken })),
      ),
    );
    const admins = racers.filter(
      (r) => r.status === 201 && (r.body as TokenResponse).user.role === 'admin',
    );
    expect(admins).toHaveLength(1);
    for (const loser of racers.filter((r) => !admins.includes(r)))
      expect(loser.body).toMatchObject({ error: { code: 'invalid_setup_token' } });
    const [count] = await api.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM users WHERE role = 'admin'`;
    expect(count?.n).toBe(1);
  });

  it('creates ADMIN_EMAIL/ADMIN_PASSWORD once, or logs a one-time setup link', async () => {
    const db = await createTestDatabase(inject('postgresUrl'));
    try {
      const lines: string[] = [];
      const out = new PassThrough();
      out.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
      const logger = createLogger({ service: 'test', destination: out });
      await bootstrapAdmin({
        sql: db.sql,
        logger,
        setupUrl: (t) => `http://x/register?setup=${t}`,
      });
      const link = /register\?setup=([A-Za-z0-9_-]{43})/.exec(lines.join(''))?.[1];
      expect(link).toBeDefined();
      const admin = { username: 'boss', email: 'boss@example.com', password };
      await Promise.all(
        [1, 2, 3].map(() => bootstrapAdmin({ sql: db.sql, logger, admin, setupUrl: String })),
      );
      const rows = await db.sql<
        { username: string; role: string }[]
      >`SELECT username, role FROM users`;
      expect(rows).toEqual([{ username: 'boss', role: 'admin' }]);
    } finally {
      await db.drop();
    }
  });

  it('closes self-registration with REGISTRATION=closed, except for the setup link', async () => {
    const closed = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: { registration: 'closed' },
    });
    try {
      const refused = await call(closed.base, 'POST', '/api/auth/register', account('walkin'));
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'registration_closed' } });
      const setupToken = await createSetupToken(closed.db.sql);
      const admin = await call(
        closed.base,
        'POST',
        '/api/auth/register',
        account('owner', { setupToken }),
      );
      expect(admin.status).toBe(201);
      expect((admin.body as TokenResponse).user.role).toBe('admin');
    } finally {
      await closed.close();
    }
  });
});

describeWith(['postgres'], 'limits that hold behind a proxy and across replicas', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
  });
  afterAll(async () => {
    await db?.drop();
  });
  const replica = (settings: Parameters<typeof startTestApi>[0]['settings']) =>
    startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      database: db,
      settings,
    });

  it('shares the per-address counter between two API instances on one database', async () => {
    const settings = { authRateLimitPerMinute: 4, trustProxy: ['loopback'] };
    const [a, b] = [await replica(settings), await replica(settings)];
    try {
      const from = { 'X-Forwarded-For': '198.51.100.7' };
      const statuses = [];
      for (const api of [a, b, a, b, a])
        statuses.push((await login(api.base, 'nobody', 'Wrong!pass1', from)).status);
      // Four attempts in all, whichever replica took them; the fifth is refused.
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      // Another client address behind the same proxy is unaffected.
      const other = await login(b.base, 'nobody', 'Wrong!pass1', {
        'X-Forwarded-For': '198.51.100.8',
      });
      expect(other.status).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('believes X-Forwarded-For and -Proto only from trusted proxies', async () => {
    // 10.0.0.0/8 is trusted, the test's loopback connection is not: forged headers count
    // for nothing, so rotating them does not escape the limit, and the cookie is not Secure.
    const untrusting = await replica({ authRateLimitPerMinute: 3, trustProxy: ['10.0.0.0/8'] });
    const trusting = await replica({ authRateLimitPerMinute: 1000, trustProxy: ['loopback'] });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (
            await login(untrusting.base, 'nobody', 'Wrong!pass1', {
              'X-Forwarded-For': `203.0.113.${i}`,
            })
          ).status,
        );
      expect(statuses).toEqual([401, 401, 401, 429]);

      await call(trusting.base, 'POST', '/api/auth/register', account('proxied'));
      const secure = await login(trusting.base, 'proxied', password, {
        'X-Forwarded-Proto': 'https',
      });
      const cookie = parseSetCookie(secure.headers.getSetCookie()[0] ?? '');
      expect(cookie.secure).toBe(true);
      expect(secure.headers.get('strict-transport-security')).toMatch(/max-age/);
      expect(secure.headers.get('cache-control')).toBe('no-store');
      const forged = await login(untrusting.base, 'proxied', password, {
        'X-Forwarded-Proto': 'https',
      });
      expect(forged.status).toBe(429); // still limited: this address spent its allowance
      const plain = await login(trusting.base, 'proxied', password);
      expect(parseSetCookie(plain.headers.getSetCookie()[0] ?? '').secure).toBeFalsy();
      expect(plain.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await untrusting.close();
      await trusting.close();
    }
  });

  it('limits failed passwords per account, whichever address they come from', async () => {
    const api = await replica({ loginFailureLimit: 3 });
    try {
      await call(api.base, 'POST', '/api/auth/register', account('target'));
      for (let i = 0; i < 3; i++)
        expect(
          (await login(api.base, 'target', 'Wrong!pass1', { 'X-Forwarded-For': `192.0.2.${i}` }))
            .status,
        ).toBe(401);
      const right = await login(api.base, 'target', password, { 'X-Forwarded-For': '192.0.2.99' });
      expect(right.status).toBe(429);
      expect(right.body).toMatchObject({ error: { code: 'rate_limited' } });
    } finally {
      await api.close();
    }
  });

  it('locks an account’s authenticator codes after a few wrong ones, and counts it', async () => {
    const api = await replica({ totpFailureLimit: 3 });
    try {
      const { accessToken } = (
        await call(api.base, 'POST', '/api/auth/register', account('mfa-user'))
      ).body as TokenResponse;
      const setup = (await call(api.base, 'POST', '/api/auth/mfa/setup', { token: accessToken }))
        .body as MfaSetupResponse;
      const step = Math.floor(Date.now() / 30_000);
      const codeAt = (offset: number) =>
        generate({ secret: setup.secret, epoch: (step + offset) * 30 + 1 });
      expect(
        (
          await call(api.base, 'POST', '/api/auth/mfa/verify', {
            token: accessToken,
            body: { code: await codeAt(-1) },
          })
        ).status,
      ).toBe(200);
      const good = await codeAt(0);
      const wrong = good === '000000' ? '111111' : '000000';
      const attempt = (totpCode: string) =>
        call(api.base, 'POST', '/api/auth/login', {
          body: { username: 'mfa-user', password, totpCode },
        });
      for (let i = 0; i < 3; i++) expect((await attempt(wrong)).status).toBe(401);
      const locked = await attempt(good);
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ error: { code: 'mfa_locked' } });
      const metrics = await (await fetch(`${api.base}/metrics`)).text();
      expect(metrics).toMatch(/^videoforge_auth_totp_lockouts_total\{service="api"\} 1$/m);
    } finally {
      await api.close();
    }
  });
});

describeWith(
  ['postgres'],
  'sessions: absolute lifetime, sign out everywhere, password change, key rotation',
  () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi({
        postgresUrl: inject('postgresUrl'),
        storage: { kind: 'local' },
        settings: { refreshFamilyLifetimeSeconds: 2 },
      });
    });
    afterAll(async () => {
      await api?.close();
    });

    it('ends a refresh-token family at its absolute lifetime however often it is rotated', async () => {
      await call(api.base, 'POST', '/api/auth/register', account('rotator'));
      let token = ((await login(api.base, 'rotator')).body as TokenResponse).refreshToken!;
      const rotated = await refresh(api.base, token);
      expect(rotated.status).toBe(200);
      token = (rotated.body as TokenResponse).refreshToken!;
      await new Promise((resolve) => setTimeout(resolve, 2200));
      const late = await refresh(api.base, token);
      expect(late.status).toBe(401);
      expect(late.body).toMatchObject({ error: { code: 'token_expired' } });
    });

    it('signs out every session, and a password change keeps only the new session', async () => {
      const long = await startTestApi({
        postgresUrl: inject('postgresUrl'),
        storage: { kind: 'local' },
        database: api.db,
      });
      try {
        await call(long.base, 'POST', '/api/auth/register', account('sessions'));
        const laptop = (await login(long.base, 'sessions')).body as TokenResponse;
        const phone = (await login(long.base, 'sessions')).body as TokenResponse;
        expect(
          (await call(long.base, 'POST', '/api/auth/logout-all', { token: laptop.accessToken }))
            .status,
        ).toBe(204);
        expect((await refresh(long.base, laptop.refreshToken!)).status).toBe(401);
        expect((await refresh(long.base, phone.refreshToken!)).status).toBe(401);

        const a = (await login(long.base, 'sessions')).body as TokenResponse;
        const b = (await login(long.base, 'sessions')).body as TokenResponse;
        const wrong = await call(long.base, 'POST', '/api/auth/password', {
          token: a.accessToken,
          body: { currentPassword: 'Not!mine123', newPassword: 'N3w!password' },
        });
        expect(wrong.status).toBe(403);
        const changed = await call(long.base, 'POST', '/api/auth/password', {
          token: a.accessToken,
          body: { currentPassword: password, newPassword: 'N3w!password' },
        });
        expect(changed.status).toBe(200);
        expect((await refresh(long.base, b.refreshToken!)).status).toBe(401);
        expect((await refresh(long.base, a.refreshToken!)).status).toBe(401);
        expect(
          (await refresh(long.base, (changed.body as TokenResponse).refreshToken!)).status,
        ).toBe(200);
        expect((await login(long.base, 'sessions')).status).toBe(401);
        expect((await login(long.base, 'sessions', 'N3w!password')).status).toBe(200);
      } finally {
        await long.close();
      }
    });

    it('keeps TOTP secrets readable when the JWT secret rotates (separate key ring)', async () => {
      const before = await startTestApi({
        postgresUrl: inject('postgresUrl'),
        storage: { kind: 'local' },
        database: api.db,
        settings: {
          jwtSecret: 'a'.repeat(48),
          mfaKeyRing: ['mfa-key-one'.repeat(4), 'a'.repeat(48)],
        },
      });
      const step = Math.floor(Date.now() / 30_000);
      let secret: string;
      try {
        const { accessToken } = (
          await call(before.base, 'POST', '/api/auth/register', account('rotating'))
        ).body as TokenResponse;
        secret = (
          (await call(before.base, 'POST', '/api/auth/mfa/setup', { token: accessToken }))
            .body as MfaSetupResponse
        ).secret;
        const code = await generate({ secret, epoch: (step - 1) * 30 + 1 });
        expect(
          (
            await call(before.base, 'POST', '/api/auth/mfa/verify', {
              token: accessToken,
              body: { code },
            })
          ).status,
        ).toBe(200);
      } finally {
        await before.close();
      }
      // A new JWT secret and a new sealing key; the old sealing key stays in the ring.
      const after = await startTestApi({
        postgresUrl: inject('postgresUrl'),
        storage: { kind: 'local' },
        database: api.db,
        settings: {
          jwtSecret: 'b'.repeat(48),
          mfaKeyRing: ['mfa-key-two'.repeat(4), 'mfa-key-one'.repeat(4), 'b'.repeat(48)],
        },
      });
      try {
        const totpCode = await generate({ secret, epoch: step * 30 + 1 });
        const signedIn = await call(after.base, 'POST', '/api/auth/login', {
          body: { username: 'rotating', password, totpCode },
        });
        expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
      } finally {
        await after.close();
      }
    });
  },
);
