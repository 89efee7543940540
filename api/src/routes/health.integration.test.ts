import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTestAws, type TestAws } from '../../../test/support/aws.ts';
import { describeWith } from '../../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { startProcess, waitUntil, type StartedProcess } from '../../../test/support/process.ts';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const jwtSecret = 'health-test-jwt-secret-0123456789abcdef';

interface Health {
  status: string;
  checks: Record<string, { ok: boolean | null; error?: string }>;
}

/** The API process in production mode on S3 + SQS at `awsEndpoint`. */
async function startApi(
  env: Record<string, string>,
): Promise<{ api: StartedProcess; base: string }> {
  const port = await freePort();
  const api = startProcess(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${base}/healthz`)).ok, {
    timeoutMs: 30_000,
    describe: () => api.output(),
  });
  return { api, base };
}

async function dependencyGauge(base: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^videoforge_dependency_up\{dependency="(\w+)"[^}]*\} (\d+)$/gm)].map(
      ([, name = '', value = '']) => [name, Number(value)],
    ),
  );
}

describeWith(['postgres', 's3', 'sqs'], 'API readiness and dependency health', () => {
  let db: TestDatabase;
  let aws: TestAws;
  const started: StartedProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    aws = await createTestAws(inject('awsEndpoint'));
  });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await aws?.close();
    await db?.drop();
  });

  it('with S3 and SQS up: ready on the database alone, /healthz and the gauge say both are up, and no probe object is written', async () => {
    const { api, base } = await startApi({ DATABASE_URL: db.url, ...aws.env });
    started.push(api);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: { ok: true } } });
    const health = (await (await fetch(`${base}/healthz`)).json()) as Health;
    expect(health).toMatchObject({
      status: 'ok',
      checks: { storage: { ok: true }, queue: { ok: true } },
    });
    expect(await dependencyGauge(base)).toEqual({ storage: 1, queue: 1 });
    // Readiness touches nothing outside videos/ (the IAM policy's only prefix), and writes nothing.
    expect((await aws.storage.list('')).objects).toEqual([]);
  });

  it('with S3 and SQS unreachable: still ready, /healthz says storage and queue are down, the gauge is 0', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { api, base } = await startApi({
      DATABASE_URL: db.url,
      ...aws.env,
      S3_ENDPOINT: dead,
      SQS_ENDPOINT: dead,
      SQS_QUEUE_URL: `${dead}/123456789012/nowhere`,
    });
    started.push(api);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const started_ = Date.now();
    const healthz = await fetch(`${base}/healthz`);
    // Liveness must stay quick and green whatever the dependencies do.
    expect(Date.now() - started_).toBeLessThan(1000);
    expect(healthz.status).toBe(200);
    await waitUntil(
      async () => {
        const health = (await (await fetch(`${base}/healthz`)).json()) as Health;
        return health.checks.storage?.ok === false && health.checks.queue?.ok === false;
      },
      { timeoutMs: 15_000, describe: () => api.output() },
    );
    const health = (await (await fetch(`${base}/healthz`)).json()) as Health;
    expect(health.checks.storage?.error).toBeTruthy();
    expect(await dependencyGauge(base)).toEqual({ storage: 0, queue: 0 });
  });

  it('with S3 and SQS hanging (connections accepted, never answered): /healthz still answers at once, both down within the check limit', async () => {
    const sockets = new Set<Socket>();
    const hang = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    hang.listen(0, '127.0.0.1');
    await once(hang, 'listening');
    const dead = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      const { api, base } = await startApi({
        DATABASE_URL: db.url,
        ...aws.env,
        S3_ENDPOINT: dead,
        SQS_ENDPOINT: dead,
        SQS_QUEUE_URL: `${dead}/123456789012/nowhere`,
      });
      started.push(api);
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect(Date.now() - t0).toBeLessThan(1000);
      }
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      await waitUntil(
        async () => {
          const health = (await (await fetch(`${base}/healthz`)).json()) as Health;
          return health.checks.storage?.ok === false && health.checks.queue?.ok === false;
        },
        { timeoutMs: 10_000, describe: () => api.output() },
      );
      await api.stop();
    } finally {
      for (const socket of sockets) socket.destroy();
      hang.close();
    }
  });

  it('with its database gone: not ready (503), yet alive', async () => {
    const own = await createTestDatabase(inject('postgresUrl'));
    const { api, base } = await startApi({ DATABASE_URL: own.url, ...aws.env });
    started.push(api);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await own.drop(); // WITH (FORCE): the API's connections end and cannot come back
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 503, {
      timeoutMs: 10_000,
      describe: () => api.output(),
    });
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({
      status: 'not_ready',
      checks: { database: { ok: false } },
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
