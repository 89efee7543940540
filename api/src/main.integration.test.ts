import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { describeWith } from '../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import { waitUntil } from '../../test/support/process.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function startApi(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  // Only what we pass: the developer's own environment must not leak into the test.
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

it('refuses to start on bad configuration, naming every problem once', async () => {
  const api = startApi({
    PORT: 'eighty',
    QUEUE_DRIVER: 'sqs',
    STORAGE_DRIVER: 'ftp',
    DB_PASSWORD: 'do-not-print-me',
    DB_HOST: 'db',
    DB_PORT: '99999',
  });
  const [code] = (await once(api.child, 'exit')) as [number];
  expect(code).toBe(78);
  const text = api.output();
  expect(text).toContain('Invalid configuration (4 problems)');
  expect(text).toMatch(/- PORT: .*number/);
  expect(text).toMatch(/- DB_PORT: .*65535/);
  expect(text).toMatch(/- STORAGE_DRIVER: .*"local".*"s3"/);
  expect(text).toContain('- SQS_QUEUE_URL: is required when QUEUE_DRIVER=sqs');
  expect(text).not.toContain('do-not-print-me');
});

describeWith(['postgres'], 'the API process', () => {
  let db: TestDatabase;
  let dataDir: string;
  let api: ReturnType<typeof startApi>;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'), { migrated: false });
    dataDir = await mkdtemp(path.join(tmpdir(), 'vf-api-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = startApi({
      DATABASE_URL: db.url,
      PORT: String(port),
      LOCAL_STORAGE_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    await waitUntil(
      async () => (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
      { timeoutMs: 30_000, describe: api.output },
    );
  });
  afterAll(async () => {
    if (api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await once(api.child, 'exit');
    }
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates its database on start and reports ready', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true } },
    });
    const [row] = await db.sql<{ count: string }[]>`SELECT count(*) FROM schema_migrations`;
    expect(Number(row?.count)).toBeGreaterThan(0);
  });

  it('answers unknown routes with the one error shape and a request id', async () => {
    const response = await fetch(`${base}/api/nothing-here`, {
      headers: { 'X-Request-Id': 'trace-me-123' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /api/nothing-here', details: {} },
    });
    await waitUntil(async () => api.output().includes('"requestId":"trace-me-123"'), {
      timeoutMs: 5000,
      describe: api.output,
    });
  });

  it('serves local storage only through valid signatures', async () => {
    const response = await fetch(
      `${base}/api/storage/videos/raw/x.mp4?expires=9999999999&signature=forged`,
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'AccessDenied' } });
  });

  it('exposes Prometheus metrics with the videoforge_ prefix', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^videoforge_process_cpu_seconds_total\{service="api"\} /m);
  });

  it('wires the API: accounts with a generated, persisted JWT secret, the gallery and the OpenAPI document', async () => {
    // No admin yet: the log holds a one-time setup link, and registering through it
    // makes the admin (a plain registration never does).
    const setupToken = /\/register\?setup=([A-Za-z0-9_-]{43})/.exec(api.output())?.[1];
    expect(setupToken, api.output()).toBeDefined();
    const registered = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        username: 'first',
        email: 'first@example.com',
        password: 'Sup3r!secret',
        setupToken,
      }),
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const me = await fetch(`${base}/api/auth/me`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(await me.json()).toMatchObject({ username: 'first', role: 'admin' });
    expect(
      (await readFile(path.join(dataDir, '.jwt-secret'), 'utf8')).length,
    ).toBeGreaterThanOrEqual(32);
    expect(await (await fetch(`${base}/api/videos`)).json()).toEqual({
      items: [],
      page: 1,
      pageSize: 20,
      total: 0,
    });
    expect(
      ((await (await fetch(`${base}/api/openapi.json`)).json()) as { openapi: string }).openapi,
    ).toBe('3.1.0');
  });

  it('stops cleanly on SIGTERM', async () => {
    api.child.kill('SIGTERM');
    const [code] = (await once(api.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(api.output()).toContain('"msg":"stopped"');
  });
});
