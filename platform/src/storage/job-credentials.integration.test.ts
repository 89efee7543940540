// Per-Job credentials against moto with IAM enforcement on. moto 5.2 accepts AssumeRole's
// session policy but evaluates only the role's own policies (moto/iam/access_control.py,
// AssumedRoleAccessKey.collect_policies), so the role assumed here carries the Job's session
// policy document as its policy: moto then judges exactly the document the controller sends,
// and AWS's intersection with the transcoder role can only narrow it further.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputPrefixFor } from '@videoforge/contracts';
import { findMotoServer, startMoto, type RunningMoto } from '../../../test/servers/moto.server.ts';
import { testCredentials, testRegion } from '../../../test/support/aws.ts';
import { createS3Storage } from './s3.storage.ts';
import {
  jobCredentialsEnv,
  jobCredentialsSecretData,
  jobSessionPolicy,
  mintJobCredentials,
  JOB_CONFIG_FILE,
  JOB_CREDENTIALS_MOUNT,
  type JobCredentials,
} from './job-credentials.ts';

const moto = findMotoServer();
const bucket = 'vf-scoped';
const source = 'videos/raw/7/0b8f5c4e-8d2a-4c1e-9f6b-2a7d3c4e5f60/holiday.mp4';
const otherUpload = 'videos/raw/8/1c9a6d5f-9e3b-4d2f-8a7c-3b8e4d5f6a71/private.mp4';
const outputs = outputPrefixFor('42');
const otherOutputs = outputPrefixFor('43');

describe.skipIf('missing' in moto)('per-Job storage credentials (moto, IAM enforced)', () => {
  let server: RunningMoto;
  let credentials: JobCredentials;

  beforeAll(async () => {
    if ('missing' in moto) return;
    server = await startMoto(moto.path);
    const endpoint = server.endpoint;
    const open = { endpoint, region: testRegion, credentials: testCredentials };
    const s3 = new S3Client({ ...open, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const Key of [source, otherUpload, `${otherOutputs}720p/720p.mp4`])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `bytes of ${Key}` }));
    s3.destroy();

    const iam = new IAMClient(open);
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'transcode-job',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const scope = { bucket, sourceKey: source, outputPrefix: outputs };
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'transcode-job',
        PolicyName: 'job-42-session',
        PolicyDocument: JSON.stringify(jobSessionPolicy(scope)),
      }),
    );
    // The controller: a principal that may only assume the transcode role.
    await iam.send(new CreateUserCommand({ UserName: 'controller' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'controller',
        PolicyName: 'assume',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.Role?.Arn }],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'controller' }))).AccessKey;
    iam.destroy();

    // From here on every request is signed and checked against IAM.
    const auth = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    expect(auth.ok).toBe(true);

    const sts = new STSClient({
      endpoint,
      region: testRegion,
      credentials: {
        accessKeyId: key?.AccessKeyId ?? '',
        secretAccessKey: key?.SecretAccessKey ?? '',
      },
    });
    credentials = await mintJobCredentials(sts, {
      roleArn: role.Role?.Arn ?? '',
      jobName: 'tj-42-720p',
      scope,
    });
    sts.destroy();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  function jobStorage() {
    return createS3Storage({ bucket, region: testRegion, endpoint: server.endpoint, credentials });
  }

  it('reads its own source and nothing else under videos/raw/', async () => {
    const storage = jobStorage();
    const own = await storage.client.send(new GetObjectCommand({ Bucket: bucket, Key: source }));
    expect(await own.Body?.transformToString()).toBe(`bytes of ${source}`);
    await expect(
      storage.client.send(new GetObjectCommand({ Bucket: bucket, Key: otherUpload })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('writes under its output prefix, nowhere else, and cannot read another job’s outputs', async () => {
    const storage = jobStorage();
    await storage.put(`${outputs}720p/segment-00001.m4s`, Buffer.from('segment'));
    expect(
      Buffer.concat(
        await (await storage.get(`${outputs}720p/segment-00001.m4s`)).toArray(),
      ).toString(),
    ).toBe('segment');
    await expect(
      storage.put(`${otherOutputs}720p/720p.mp4`, Buffer.from('overwrite')),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(storage.put(`${source}.evil`, Buffer.from('x'))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(storage.get(`${otherOutputs}720p/720p.mp4`)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('reaches an SDK client with no credentials of its own through the mounted Secret', async () => {
    // The Secret's files in a directory of our own, the config pointing at it as the mount would.
    const dir = await mkdtemp(path.join(tmpdir(), 'vf-job-creds-'));
    try {
      for (const [name, text] of Object.entries(jobCredentialsSecretData(credentials)))
        await writeFile(
          path.join(dir, name),
          name === JOB_CONFIG_FILE ? text.replace(JOB_CREDENTIALS_MOUNT, dir) : text,
        );
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')),
      );
      // A separate process with only the pod's AWS environment: the default provider chain
      // must find credential_process, as the transcoder's S3Client does in the pod.
      const script = `
        import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
        const s3 = new S3Client({ region: '${testRegion}', endpoint: '${server.endpoint}', forcePathStyle: true });
        const out = await s3.send(new GetObjectCommand({ Bucket: '${bucket}', Key: '${source}' }));
        process.stdout.write(await out.Body.transformToString());`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script],
        {
          cwd: path.dirname(fileURLToPath(import.meta.url)),
          env: {
            ...env,
            ...jobCredentialsEnv,
            AWS_CONFIG_FILE: path.join(dir, JOB_CONFIG_FILE),
          },
        },
      );
      expect(stdout).toBe(`bytes of ${source}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
