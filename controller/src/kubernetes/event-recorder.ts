import type { CoreV1Api } from '@kubernetes/client-node';
import {
  TRANSCODE_JOB_GROUP,
  TRANSCODE_JOB_KIND,
  TRANSCODE_JOB_VERSION,
  type TranscodeJobResource,
} from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import type { KubeEvent } from '../reconcile/transcode-job.reconciler.ts';

/** Events being written at once, beyond which new ones are dropped. */
const MAX_EVENTS_IN_FLIGHT = 256;
/** events.k8s.io's limit on a note; core Events are shown the same way by kubectl. */
const MAX_MESSAGE_LENGTH = 1024;

/**
 * One Event per type and reason of a pass: a pass stopping several workloads says so
 * once, naming them all. Every Event is an API write the server shares its CPU for, and
 * the same reason twice in a pass tells a person nothing more than one message listing
 * both.
 */
export function aggregateEvents(events: readonly KubeEvent[]): KubeEvent[] {
  const byReason = new Map<string, KubeEvent>();
  for (const event of events) {
    const key = `${event.type}/${event.reason}`;
    const earlier = byReason.get(key);
    byReason.set(
      key,
      earlier
        ? {
            ...earlier,
            message: `${earlier.message}; ${event.message}`.slice(0, MAX_MESSAGE_LENGTH),
          }
        : event,
    );
  }
  return [...byReason.values()];
}

export interface EventRecorder {
  /** Writes the Event off the reconcile path; never throws, never blocks. */
  record(resource: TranscodeJobResource, event: KubeEvent): void;
  /** Waits for the Events still being written (on stop). */
  drain(): Promise<void>;
}

/**
 * Events are for people, not for correctness: like client-go's recorder they are
 * written off the reconcile path, and dropped rather than queued without bound.
 */
export function createEventRecorder(deps: {
  core: CoreV1Api;
  namespace: string;
  logger: Logger;
  now: () => Date;
  component: string;
}): EventRecorder {
  const { core, namespace, logger, now } = deps;
  const inFlight = new Set<Promise<void>>();

  async function write(resource: TranscodeJobResource, event: KubeEvent): Promise<void> {
    const time = now();
    const ns = resource.metadata.namespace ?? namespace;
    await core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { generateName: `${resource.metadata.name}.` },
        involvedObject: {
          apiVersion: `${TRANSCODE_JOB_GROUP}/${TRANSCODE_JOB_VERSION}`,
          kind: TRANSCODE_JOB_KIND,
          name: resource.metadata.name,
          namespace: ns,
          ...(resource.metadata.uid ? { uid: resource.metadata.uid } : {}),
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: deps.component },
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      },
    });
  }

  return {
    record(resource, event) {
      if (inFlight.size >= MAX_EVENTS_IN_FLIGHT) {
        logger.debug({ reason: event.reason }, 'event dropped: too many in flight');
        return;
      }
      const pending = write(resource, event)
        .catch((error: unknown) => logger.debug({ err: error }, 'event not recorded'))
        .finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    },
    async drain() {
      await Promise.all(inFlight);
    },
  };
}
