import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createLogger } from '@videoforge/platform/logging';
import { describeWith } from '../../../test/support/components.ts';
import { eventually, startKubeSuite, type KubeSuite } from '../../../test/kube/kube-test-utils.ts';
import { startLeaderElection, type LeaderElector } from './leader-election.ts';

describeWith(['kubernetes'], 'leader election on a real Lease', () => {
  let suite: KubeSuite;
  const electors: LeaderElector[] = [];
  const logger = createLogger({ service: 'lease-test', level: 'silent' });

  beforeAll(async () => {
    suite = await startKubeSuite(inject('kubeconfig'), 'lease');
  });
  afterAll(async () => {
    for (const elector of electors) await elector.stop();
    await suite?.cleanup();
  });

  function candidate(
    identity: string,
    kubeConfig: KubeConfig,
    log: string[],
    start: () => void | Promise<void> = () => void log.push(`${identity} leads`),
  ) {
    const elector = startLeaderElection({
      kubeConfig,
      namespace: suite.namespace,
      leaseName: 'videoforge-controller',
      identity,
      logger,
      leaseDurationSeconds: 10,
      retryPeriodMs: 1000,
      onStartedLeading: start,
      onStoppedLeading: () => void log.push(`${identity} stopped`),
      onStartFailed: (error) => void log.push(`${identity} failed: ${String(error)}`),
    });
    electors.push(elector);
    return elector;
  }

  it('lets one of two replicas lead, and the other take over within 15 s of the leader dying', async () => {
    const log: string[] = [];
    // Each replica its own client, as two pods would have.
    const kcA = new KubeConfig();
    kcA.loadFromString(suite.kc.exportConfig());
    const kcB = new KubeConfig();
    kcB.loadFromString(suite.kc.exportConfig());
    const a = candidate('replica-a', kcA, log);
    await eventually('replica-a to lead', async () => (a.isLeader() ? true : undefined));
    const b = candidate('replica-b', kcB, log);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(b.isLeader()).toBe(false);

    // Death, not a graceful stop: replica-a's renewals stop without releasing the lease.
    const kcDead = kcA;
    kcDead.setCurrentContext('does-not-exist');
    const died = Date.now();
    await eventually('replica-b to take over', async () => (b.isLeader() ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const takeoverSeconds = (Date.now() - died) / 1000;
    console.log(
      `leader takeover after the leader died: ${takeoverSeconds.toFixed(1)} s (lease 10 s, retry 1 s)`,
    );
    expect(takeoverSeconds).toBeLessThan(15);
    const lease = await suite.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'videoforge-controller', namespace: suite.namespace });
    expect(lease.spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
    expect(log).toContain('replica-b leads');
  });

  it('gives the lease back when the leader fails to start, so a standby leads at once', async () => {
    const log: string[] = [];
    const leaseName = 'videoforge-controller';
    const leases = suite.kc.makeApiClient(CoordinationV1Api);
    // A clean lease: the previous test's holder stopped without this name being reused.
    await leases
      .deleteNamespacedLease({ name: leaseName, namespace: suite.namespace })
      .catch(() => undefined);
    const kcA = new KubeConfig();
    kcA.loadFromString(suite.kc.exportConfig());
    const kcB = new KubeConfig();
    kcB.loadFromString(suite.kc.exportConfig());
    const broken = candidate('broken', kcA, log, () => {
      throw new Error('informers could not start');
    });
    await eventually('the broken leader to give up', async () =>
      log.some((line) => line.startsWith('broken failed')) ? true : undefined,
    );
    expect(broken.isLeader()).toBe(false);
    const lease = await leases.readNamespacedLease({ name: leaseName, namespace: suite.namespace });
    expect(lease.spec?.holderIdentity).toBe('');
    // The standby takes over on its first try, not after the 10 s lease expires.
    const standby = candidate('standby', kcB, log);
    const started = Date.now();
    await eventually('the standby to lead', async () => (standby.isLeader() ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 100,
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(log).toEqual(['broken failed: Error: informers could not start', 'standby leads']);
  });
});
