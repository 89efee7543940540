import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TokenResponse } from '@videoforge/contracts';
import { connectDatabase } from '@videoforge/platform/database';
import { createLogger } from '@videoforge/platform/logging';
import { call } from '../../test/support/api-app.ts';
import { describeWith } from '../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { ApiConfig } from './config.ts';
import { startApiServer } from './server.ts';

describeWith(['postgres'], 'stopping the API', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'), { migrated: false });
    dir = await mkdtemp(path.join(tmpdir(), 'vf-drain-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lets a request in flight finish before its database closes', async () => {
    const logger = createLogger({ service: 'test', level: 'silent' });
    const config = ApiConfig.parse({
      DATABASE_URL: db.url,
      PORT: '0',
      LOCAL_STORAGE_DIR: dir,
      JWT_SECRET: 'd'.repeat(48),
    });
    const api = await startApiServer(config, { logger });
    const { accessToken } = (
      await call(api.baseUrl, 'POST', '/api/auth/register', {
        body: { username: 'drainer', email: 'drainer@example.com', password: 'Sup3r!secret' },
      })
    ).body as TokenResponse;
    // Hold the users table so /api/auth/me waits in the database, mid-request.
    const locker = connectDatabase({ url: db.url, max: 1, logger });
    let release = () => {};
    const held = locker.begin(async (tx) => {
      await tx`LOCK TABLE users IN ACCESS EXCLUSIVE MODE`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const inFlight = call(api.baseUrl, 'GET', '/api/auth/me', { token: accessToken });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = api.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ username: 'drainer' });
    await stopping;
    await held;
    await locker.end();
    // And no new connection is accepted once stopped.
    await expect(fetch(`${api.baseUrl}/healthz`)).rejects.toThrow();
  });
});
