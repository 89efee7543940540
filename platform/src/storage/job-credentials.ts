import type { STSClient, STSClientConfig } from '@aws-sdk/client-sts';

/**
 * Per-Job storage credentials (docs/deploy.md, "Storage access per transcode Job").
 *
 * STS AssumeRole with an inline session policy, not presigned URLs: the transcoder's steps
 * also list and delete under the output prefix (a re-run clears its rendition prefix,
 * finalize lists what the renditions wrote) and stream multipart uploads of unknown size,
 * none of which a presigned GET or a POST policy can express.
 */

/** Where the per-Job Secret is mounted in a transcode pod. */
export const JOB_CREDENTIALS_MOUNT = '/var/run/videoforge/storage';
export const JOB_CREDENTIALS_FILE = 'credentials.json';
export const JOB_CONFIG_FILE = 'config';

// AssumeRole by a role (the controller's IRSA role) is role chaining, capped at one hour.
export const JOB_CREDENTIALS_SECONDS = 3600;
// The kubelet refreshes a mounted Secret within about a minute plus its cache TTL, and the
// SDK re-runs credential_process five minutes before expiry: renewing with 20 minutes left
// leaves room for both.
export const JOB_CREDENTIALS_RENEW_BEFORE_MS = 20 * 60 * 1000;

export interface JobStorageScope {
  bucket: string;
  /** The one upload this Job reads. */
  sourceKey: string;
  /** `videos/output/{jobId}/`: everything the Job writes, and the only prefix it lists. */
  outputPrefix: string;
}

interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string;
  Condition?: { StringLike: { 's3:prefix': string[] } };
}

/** The session policy: the effective permissions are its intersection with the role's. */
export function jobSessionPolicy(scope: JobStorageScope): {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
} {
  if (!scope.outputPrefix.endsWith('/')) throw new Error('outputPrefix must end with /');
  const bucketArn = `arn:aws:s3:::${scope.bucket}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadSource',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: `${bucketArn}/${scope.sourceKey}`,
      },
      {
        Sid: 'WriteOutputs',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: `${bucketArn}/${scope.outputPrefix}*`,
      },
      {
        Sid: 'ListOutputs',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': [`${scope.outputPrefix}*`] } },
      },
    ],
  };
}

export interface JobCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export async function mintJobCredentials(
  sts: STSClient,
  options: { roleArn: string; jobName: string; scope: JobStorageScope; durationSeconds?: number },
): Promise<JobCredentials> {
  // Loaded on first use: every process that imports storage would otherwise pay for the SDK.
  const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: options.roleArn,
      // Shows in CloudTrail, so each object access names its Job.
      RoleSessionName: options.jobName.slice(0, 64),
      DurationSeconds: options.durationSeconds ?? JOB_CREDENTIALS_SECONDS,
      Policy: JSON.stringify(jobSessionPolicy(options.scope)),
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
    throw new Error('AssumeRole returned no credentials');
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}

/**
 * The per-Job Secret's files. The SDK runs `credential_process` again shortly before the
 * credentials it returned expire, and `cat` reads the file the kubelet has meanwhile
 * replaced with the controller's renewal: a multi-hour encode never sees an expired key.
 */
export function jobCredentialsSecretData(credentials: JobCredentials): Record<string, string> {
  return {
    [JOB_CONFIG_FILE]: `[default]\ncredential_process = cat ${JOB_CREDENTIALS_MOUNT}/${JOB_CREDENTIALS_FILE}\n`,
    [JOB_CREDENTIALS_FILE]: JSON.stringify({
      Version: 1,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
    }),
  };
}

/** The transcode container's environment: the SDK finds the profile, nothing else. */
export const jobCredentialsEnv: Record<string, string> = {
  AWS_CONFIG_FILE: `${JOB_CREDENTIALS_MOUNT}/${JOB_CONFIG_FILE}`,
  // An empty shared credentials file so no static key on the node is ever picked up.
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

export function needsRenewal(expiration: Date, now = Date.now()): boolean {
  return expiration.getTime() - now < JOB_CREDENTIALS_RENEW_BEFORE_MS;
}

export interface JobCredentialsIssuer {
  issue(jobName: string, scope: JobStorageScope): Promise<JobCredentials>;
  close(): void;
}

/** The controller's side: its own (IRSA) identity assumes `roleArn` once per Job. */
export function createJobCredentialsIssuer(options: {
  roleArn: string;
  region: string;
  /** For an STS-compatible test server; leave unset for AWS. */
  endpoint?: string;
  credentials?: STSClientConfig['credentials'];
}): JobCredentialsIssuer {
  let sts: Promise<STSClient> | undefined;
  const client = () =>
    (sts ??= import('@aws-sdk/client-sts').then(
      ({ STSClient }) =>
        new STSClient({
          region: options.region,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
        }),
    ));
  return {
    issue: async (jobName, scope) =>
      mintJobCredentials(await client(), { roleArn: options.roleArn, jobName, scope }),
    close: () => void sts?.then((created) => created.destroy()),
  };
}
