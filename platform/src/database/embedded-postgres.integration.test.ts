import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { freePort } from '../../../test/support/free-port.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describeWith(['postgres'], 'the embedded PostgreSQL in its owner process', () => {
  // A process that started the embedded server keeps its own exit code: the package's exit
  // hook once turned every failing test run (vitest sets exitCode, then ends) into exit 0.
  it('leaves a failing exit code alone when the process ends by itself', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vf-embedded-exit-'));
    dirs.push(dir);
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(path.join(here, 'embedded-postgres.ts'))};
      import { createLogger } from ${JSON.stringify(path.join(here, '../logging/logger.ts'))};
      const pg = await startEmbeddedPostgres({
        dataDir: ${JSON.stringify(path.join(dir, 'data'))},
        port: ${await freePort()},
        logger: createLogger({ service: 'test', level: 'silent' }),
      });
      await pg.stop();
      process.exitCode = 3;
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
  });
});
