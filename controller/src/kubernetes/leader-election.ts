import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '@videoforge/platform/logging';
import { isNotFound, statusCode } from './kube-errors.ts';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  leaseName: string;
  identity: string;
  logger: Logger;
  /** A leader that stops renewing loses the lease this long after its last renewal. */
  leaseDurationSeconds?: number;
  /** How often the leader renews and candidates retry. */
  retryPeriodMs?: number;
  onStartedLeading: () => void | Promise<void>;
  /** Called when leadership is lost; the safe reaction is to stop all work (or exit). */
  onStoppedLeading: () => void | Promise<void>;
  /**
   * onStartedLeading threw: the lease has been given back (so a standby takes over at
   * once rather than after the lease expires) and campaigning has stopped. The safe
   * reaction is to exit non-zero and let the Deployment restart the pod.
   */
  onStartFailed: (error: unknown) => void | Promise<void>;
  now?: () => Date;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  stop(): Promise<void>;
}

/**
 * Leader election on one coordination.k8s.io Lease, as client-go's: acquire it when it
 * is free or expired, renew it every retry period, and treat any failure to renew
 * before expiry as lost leadership. Updates carry the resourceVersion, so two
 * candidates racing for an expired lease cannot both win.
 */
export function startLeaderElection(options: LeaderElectionOptions): LeaderElector {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const duration = options.leaseDurationSeconds ?? 10;
  const retryMs = options.retryPeriodMs ?? 2000;
  const now = options.now ?? (() => new Date());
  const { namespace, leaseName: name, identity, logger } = options;
  let leader = false;
  let lastRenewal = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const leaseSpec = (transitions: number, acquireTime: Date) => ({
    holderIdentity: identity,
    leaseDurationSeconds: duration,
    acquireTime: microTime(acquireTime),
    renewTime: microTime(now()),
    leaseTransitions: transitions,
  });

  async function tryAcquireOrRenew(): Promise<boolean> {
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await api.createNamespacedLease({
        namespace,
        body: { metadata: { name, namespace }, spec: leaseSpec(0, now()) },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewedAt = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renewedAt + (spec.leaseDurationSeconds ?? duration) * 1000 < now().getTime();
    if (holder !== identity && holder !== '' && !expired) return false;
    const takingOver = holder !== identity;
    await api.replaceNamespacedLease({
      name,
      namespace,
      body: {
        ...lease,
        spec: leaseSpec(
          (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
          takingOver || !spec.acquireTime ? now() : new Date(spec.acquireTime),
        ),
      },
    });
    return true;
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      const holds = await tryAcquireOrRenew();
      if (holds) lastRenewal = now().getTime();
      if (holds && !leader) {
        leader = true;
        logger.info({ identity, lease: name }, 'became leader');
        try {
          await options.onStartedLeading();
        } catch (error) {
          // A leader that cannot work must not keep the lease: nobody would do the work.
          logger.error(
            { err: error, identity },
            'starting as leader failed; giving the lease back',
          );
          stopped = true;
          leader = false;
          await release();
          await options.onStartFailed(error);
          return;
        }
      } else if (!holds && leader) {
        await lose('another replica holds the lease');
      }
    } catch (error) {
      // 409: someone else updated the lease between our read and write.
      if (statusCode(error) !== 409) logger.warn({ err: error }, 'lease update failed');
      if (leader && now().getTime() - lastRenewal > (duration * 1000 * 2) / 3)
        await lose('could not renew the lease in time');
    }
    if (!stopped) timer = setTimeout(() => void tick(), retryMs);
  }

  async function lose(reason: string): Promise<void> {
    leader = false;
    logger.warn({ identity, reason }, 'lost leadership');
    await options.onStoppedLeading();
  }

  /** Empties the lease if we still hold it, so a standby acquires it on its next try. */
  async function release(): Promise<void> {
    try {
      const lease = await api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const spec = lease.spec;
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            ...(spec.acquireTime ? { acquireTime: microTime(new Date(spec.acquireTime)) } : {}),
            ...(spec.renewTime ? { renewTime: microTime(new Date(spec.renewTime)) } : {}),
          },
        },
      });
      logger.info({ identity, lease: name }, 'released the lease');
    } catch (error) {
      logger.debug({ err: error }, 'could not release the lease');
    }
  }

  void tick();
  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (!leader) return;
      leader = false;
      await release();
      await options.onStoppedLeading();
    },
  };
}

/**
 * Lease times are MicroTime, which the API server parses with exactly six fractional
 * digits; @kubernetes/client-node would send a Date with three, so we send the string
 * (its serializer passes non-Date values through).
 */
function microTime(date: Date): Date {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date;
}
