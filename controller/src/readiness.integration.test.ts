import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { connectDatabase, createLogger } from '@videoforge/platform';
import { createTestAws, type TestAws } from '../../test/support/aws.ts';
import { describeWith } from '../../test/support/components.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import { startProcess, waitUntil, type StartedProcess } from '../../test/support/process.ts';
import { operatorEnv, startTranscodeKubeSuite } from '../../test/support/transcode-cluster.ts';
import type { KubeSuite } from '../../test/kube/kube-test-utils.ts';

const controllerMain = fileURLToPath(new URL('./main.ts', import.meta.url));

describeWith(['kubernetes', 'postgres', 's3', 'sqs'], 'the controller’s /readyz', () => {
  let suite: KubeSuite;
  let db: TestDatabase;
  let aws: TestAws;
  let operator: StartedProcess | undefined;
  let readyz: string;

  beforeAll(async () => {
    suite = await startTranscodeKubeSuite(inject('kubeconfig'), 'ready');
    db = await createTestDatabase(inject('postgresUrl'));
    aws = await createTestAws(inject('awsEndpoint'));
    const port = await freePort();
    readyz = `http://127.0.0.1:${port}/readyz`;
    operator = startProcess(process.execPath, [controllerMain], {
      env: operatorEnv({
        kubeconfig: inject('kubeconfig'),
        namespace: suite.namespace,
        podName: 'ready-1',
        databaseUrl: db.url,
        metricsPort: port,
        aws,
      }),
    });
  });
  afterAll(async () => {
    await operator?.stop();
    await aws?.close();
    await suite?.cleanup();
    await db?.drop();
  });

  const read = async () => {
    const response = await fetch(readyz, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.json() };
  };

  it('is ready once it leads with synced informers and a reachable database, and not once the database is gone', async () => {
    // A standby is ready too ("informers": "standby"); wait for it to lead and sync.
    await waitUntil(async () => JSON.stringify((await read()).body).includes('"informers":true'), {
      timeoutMs: 60_000,
      describe: () => operator?.output().slice(-3000) ?? '',
    });
    expect((await read()).body).toEqual({
      status: 'ready',
      checks: { database: true, informers: true },
    });
    // The database goes away (its connections cut, the database dropped).
    const admin = connectDatabase({
      url: inject('postgresUrl'),
      max: 1,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    const name = new URL(db.url).pathname.slice(1);
    await admin`DROP DATABASE ${admin(name)} WITH (FORCE)`;
    await admin.end();
    await waitUntil(async () => (await read()).status === 503, {
      timeoutMs: 15_000,
      describe: () => operator?.output().slice(-3000) ?? '',
    });
    expect((await read()).body).toMatchObject({
      status: 'not_ready',
      checks: { database: false },
    });
  });
});
