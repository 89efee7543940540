import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createLogger,
  createMetricsRegistry,
  createPostgresQueue,
  createLocalStorage,
  type StoragePort,
} from '@videoforge/platform';
import { createS3Storage } from '@videoforge/platform/storage/s3';
import type { TokenResponse } from '@videoforge/contracts';
import type { Express } from 'express';
import { createApp, type ApiSettings } from '../../api/src/app.ts';
import { createSetupToken } from '../../api/src/auth/admin-bootstrap.ts';
import { createEventsHub } from '../../api/src/events/events.hub.ts';
import { createFfprobeProber } from '../../api/src/probe/upload-prober.ts';
import { createTestBucket, testCredentials, testRegion } from './aws.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { freePort } from './free-port.ts';
import { makeTestClip } from './media.ts';

export interface TestApi {
  base: string;
  /** The Express app itself, for tests that read its routes. */
  app: Express;
  db: TestDatabase;
  storage: StoragePort;
  settings: ApiSettings;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';

/**
 * The API in this process on a fresh database and either a fresh moto bucket or a
 * temporary local-storage directory, listening on 127.0.0.1:0.
 */
export async function startTestApi(options: {
  postgresUrl: string;
  storage: { kind: 's3'; endpoint: string } | { kind: 'local' };
  settings?: Partial<ApiSettings>;
  /** The upload probe's time limit (a tiny one makes every probe fail transiently). */
  probeTimeoutMs?: number;
  /** Another instance's database: two APIs on one database act as two replicas. */
  database?: TestDatabase;
}): Promise<TestApi> {
  const db = options.database ?? (await createTestDatabase(options.postgresUrl));
  const logger = createLogger({
    service: 'api-test',
    level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
  });
  let handle: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let localDir: string | undefined;
  let storage: StoragePort;
  if (options.storage.kind === 's3') {
    storage = createS3Storage({
      bucket: await createTestBucket(options.storage.endpoint),
      region: testRegion,
      endpoint: options.storage.endpoint,
      forcePathStyle: true,
      credentials: testCredentials,
    });
  } else {
    localDir = await mkdtemp(path.join(tmpdir(), 'vf-api-storage-'));
    storage = createLocalStorage({
      rootDir: localDir,
      publicBaseUrl: `${base}/api/storage`,
      signingSecret: 's'.repeat(40),
    });
  }
  const settings: ApiSettings = {
    authMode: 'builtin',
    jwtSecret: TEST_JWT_SECRET,
    corsOrigins: ['http://app.example'],
    jsonBodyLimit: '100kb',
    authRateLimitPerMinute: 1000,
    loginFailureLimit: 1000,
    totpFailureLimit: 1000,
    registration: 'open',
    trustProxy: ['loopback'],
    refreshFamilyLifetimeSeconds: 90 * 24 * 3600,
    mfaKeyRing: [TEST_JWT_SECRET],
    maxEventStreamsPerUser: 10,
    storageOrigins: [],
    maxUploadBytes: 50 * 1024 * 1024,
    singleUploadMaxBytes: 10 * 1024 * 1024,
    multipartPartBytes: 5 * 1024 * 1024,
    ...options.settings,
  };
  const events = createEventsHub(db.sql, logger);
  const app = createApp({
    logger,
    metrics: createMetricsRegistry('api'),
    sql: db.sql,
    storage,
    queue: createPostgresQueue({
      sql: db.sql,
      name: 'transcode-jobs',
      visibilityTimeoutSeconds: 60,
      maxReceives: 5,
    }),
    settings,
    probe: createFfprobeProber({
      ffprobePath: 'ffprobe',
      timeoutMs: options.probeTimeoutMs ?? 30_000,
    }),
    events,
  });
  handle = app;
  return {
    base,
    app,
    db,
    storage,
    settings,
    async close() {
      server.closeAllConnections();
      server.close();
      await events.close();
      if (!options.database) await db.drop();
      if (localDir) await rm(localDir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers the install's first admin the way a person does: through a one-time setup
 * token (the link the API prints at a start with no admin).
 */
export async function registerAdmin(api: TestApi, username: string): Promise<TokenResponse> {
  const response = await call(api.base, 'POST', '/api/auth/register', {
    body: {
      username,
      email: `${username}@example.com`,
      password: 'Sup3r!secret',
      setupToken: await createSetupToken(api.db.sql),
    },
  });
  if (response.status !== 201) throw new Error(`admin registration: ${JSON.stringify(response)}`);
  return response.body as TokenResponse;
}

/** A small real clip from ffmpeg's test sources (H.264 + AAC in MP4). */
export async function generateClip(
  dir: string,
  { seconds = 2, size = '320x240' } = {},
): Promise<string> {
  return makeTestClip(dir, { size, seconds, audio: true, name: `clip-${seconds}s-${size}.mp4` });
}

export async function writeTextFile(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** fetch with JSON in and out, and the bearer token when given. */
export async function call(
  base: string,
  method: string,
  route: string,
  {
    token,
    body,
    headers = {},
  }: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export { tmpdir };

/** An API in OIDC mode whose provider nobody runs: the routes exist, sign-in cannot finish. */
export async function startApiWithUnreachableOidc(postgresUrl: string): Promise<TestApi> {
  return startTestApi({
    postgresUrl,
    storage: { kind: 'local' },
    settings: {
      authMode: 'oidc',
      oidc: {
        issuer: `http://localhost:${await freePort()}`,
        clientId: 'videoforge-web',
        scopes: 'openid',
        providerName: 'Nowhere',
        groupsClaim: 'groups',
        adminGroup: 'admins',
      },
    },
  });
}
