import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.ts';
import { startProcess, waitUntil } from '../support/process.ts';

const versionsFile = fileURLToPath(new URL('../../scripts/ci/versions.env', import.meta.url));

/** Where scripts/ci/install-moto.sh puts moto_server, or why it is not there. */
export function findMotoServer(): { path: string } | { missing: string } {
  const version = /^MOTO_VERSION=(.+)$/m.exec(readFileSync(versionsFile, 'utf8'))?.[1]?.trim();
  const cache = process.env.VIDEOFORGE_CACHE ?? path.join(homedir(), '.cache', 'videoforge');
  const candidate = path.join(cache, `moto-${version}`, 'bin', 'moto_server');
  return existsSync(candidate)
    ? { path: candidate }
    : {
        missing: `moto_server ${version} (S3 and SQS test server) not found at ${candidate}; run scripts/ci/install-moto.sh`,
      };
}

export interface RunningMoto {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * moto's standalone server: a real HTTP server speaking the S3 and SQS wire protocols
 * (SQS's JSON protocol included), so the AWS SDK clients run unmodified against it.
 */
export async function startMoto(executable: string): Promise<RunningMoto> {
  const port = await freePort();
  const server = startProcess(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${endpoint}/moto-api/`)).ok, {
    timeoutMs: 30_000,
    describe: () => `moto_server did not answer on ${endpoint}\n${server.output()}`,
  });
  return { endpoint, stop: () => server.stop() };
}
