import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startProcess, waitUntil, type StartedProcess } from './process.ts';

const MAIN = fileURLToPath(new URL('../../all-in-one/src/main.ts', import.meta.url));

export interface RunningAllInOne {
  baseUrl: string;
  db: TestDatabase;
  /** The local storage directory (outputs land under it). */
  storageDir: string;
  output(): string;
  /** Ends the process (SIGKILL: a crash) and starts it again on the same database and storage. */
  restart(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `npm start`'s process, as a user runs it, on 127.0.0.1 with a free port, a fresh
 * database on the shared test server and a temporary storage directory. Resolves once
 * it announces its address.
 */
export async function startAllInOne(options: {
  postgresUrl: string;
  webDistDir?: string;
  env?: Record<string, string>;
  /** Every chunk the process writes to stdout or stderr, whole (output() keeps a tail). */
  onOutput?: (chunk: string) => void;
}): Promise<RunningAllInOne> {
  const db = await createTestDatabase(options.postgresUrl, { migrated: false });
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-all-in-one-'));
  const storageDir = path.join(dir, 'storage');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    LOCAL_STORAGE_DIR: storageDir,
    TRANSCODE_WORK_DIR: dir,
    TRANSCODE_PRESET: 'ultrafast',
    LOG_LEVEL: 'info', // the start-up line below is read from the log
    ...(options.webDistDir ? { WEB_DIST_DIR: options.webDistDir } : {}),
    ...options.env,
  };

  let child: StartedProcess | undefined;
  const running = {
    baseUrl: '',
    db,
    storageDir,
    output: () => child?.output() ?? '',
    async restart(signal: 'SIGKILL' | 'SIGTERM') {
      if (signal === 'SIGKILL' && child?.child.pid !== undefined) {
        process.kill(-child.child.pid, 'SIGKILL');
      }
      await child?.stop();
      await launch();
    },
    async stop() {
      await child?.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  const launch = async () => {
    const started = startProcess(process.execPath, [MAIN], { env });
    child = started;
    const forward = options.onOutput;
    if (forward) {
      started.child.stdout?.on('data', (chunk: Buffer) => forward(chunk.toString('utf8')));
      started.child.stderr?.on('data', (chunk: Buffer) => forward(chunk.toString('utf8')));
    }
    let baseUrl = '';
    await waitUntil(
      async () => {
        baseUrl = /VideoForge is running at (http:\/\/[0-9.:]+)/.exec(started.output())?.[1] ?? '';
        return baseUrl !== '' || started.child.exitCode !== null;
      },
      { timeoutMs: 60_000, describe: () => started.output().slice(-4000) },
    );
    if (!baseUrl) throw new Error(`all-in-one exited at start:\n${started.output().slice(-4000)}`);
    running.baseUrl = baseUrl;
  };
  try {
    await launch();
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}
