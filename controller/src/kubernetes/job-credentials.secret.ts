import type { CoreV1Api, V1Job, V1Secret } from '@kubernetes/client-node';
import {
  jobCredentialsSecretData,
  needsRenewal,
  JOB_CREDENTIALS_RENEW_BEFORE_MS,
  type JobCredentialsIssuer,
  type JobStorageScope,
} from '@videoforge/platform/storage';
import { isAlreadyExists } from './kube-errors.ts';
import { jobCredentialsSecretName, LABELS, MANAGED_BY } from './job-manifest.builder.ts';

export interface JobCredentialSecrets {
  /**
   * Writes the Job's Secret when this process has not written it yet or it is due for
   * renewal; resolves with the milliseconds until the next renewal is due.
   */
  ensure(job: V1Job, scope: JobStorageScope): Promise<number>;
  /** The Job finished or is gone: its Secret goes with it (owner reference). */
  forget(namespace: string, jobName: string): void;
}

export function createJobCredentialSecrets(
  core: CoreV1Api,
  issuer: JobCredentialsIssuer,
  now: () => number = Date.now,
): JobCredentialSecrets {
  // In memory only: after a restart or a leader change every running Job's Secret is
  // overwritten once, which costs one AssumeRole each and needs no read access to Secrets.
  const expiries = new Map<string, Date>();
  const untilRenewal = (expiration: Date) =>
    Math.max(0, expiration.getTime() - now() - JOB_CREDENTIALS_RENEW_BEFORE_MS);

  return {
    async ensure(job, scope) {
      const namespace = job.metadata?.namespace ?? '';
      const jobName = job.metadata?.name ?? '';
      const uid = job.metadata?.uid;
      if (!namespace || !jobName || !uid) throw new Error('a Job without name, namespace or uid');
      const key = `${namespace}/${jobName}`;
      const known = expiries.get(key);
      if (known && !needsRenewal(known, now())) return untilRenewal(known);

      const credentials = await issuer.issue(jobName, scope);
      const name = jobCredentialsSecretName(jobName);
      const body: V1Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name,
          namespace,
          labels: { [LABELS.managedBy]: MANAGED_BY },
          // Garbage-collected with the Job (its TTL or a delete), never left behind.
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid }],
        },
        type: 'Opaque',
        stringData: jobCredentialsSecretData(credentials),
      };
      try {
        await core.createNamespacedSecret({ namespace, body });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        // No resourceVersion: an unconditional overwrite, so no get is needed (or granted).
        await core.replaceNamespacedSecret({ name, namespace, body });
      }
      expiries.set(key, credentials.expiration);
      return untilRenewal(credentials.expiration);
    },
    forget(namespace, jobName) {
      expiries.delete(`${namespace}/${jobName}`);
    },
  };
}
