import type { CoreV1Api } from '@kubernetes/client-node';
import { TranscoderEvent } from '@videoforge/contracts';
import { CONTAINER_NAME } from './job-manifest.builder.ts';

/** What a running transcoder's log says: its last progress, and when it went live. */
export interface PodLogReading {
  progress?: number;
  /** The first `rendition-live` event's time, when the part read has one. */
  liveAt?: Date;
}

/**
 * A running Job's progress, from the transcoder's last `progress` event in its pod's
 * log (the transcoder prints JSON events on stdout). Reading a short tail of one log
 * per active Job per pass is cheap, and needs no write access for the pods. Until the
 * TranscodeJob is playable (`wholeLog`), the whole log is read instead: the
 * `rendition-live` event comes early and progress lines would push it out of any tail;
 * a log is short until then.
 */
export async function readRunningPodLog(
  core: CoreV1Api,
  namespace: string,
  jobName: string,
  { wholeLog = false }: { wholeLog?: boolean } = {},
): Promise<PodLogReading | undefined> {
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
  });
  const running = pods.items
    .filter((p) => p.status?.phase === 'Running')
    .sort((a, b) =>
      String(b.metadata?.creationTimestamp ?? '').localeCompare(
        String(a.metadata?.creationTimestamp ?? ''),
      ),
    )[0];
  const name = running?.metadata?.name;
  if (!name) return undefined;
  const log = await core.readNamespacedPodLog({
    name,
    namespace,
    container: CONTAINER_NAME,
    ...(wholeLog ? {} : { tailLines: 50 }),
  });
  const progress = lastProgress(log);
  const liveAt = wholeLog ? firstLiveAt(log) : undefined;
  return {
    ...(progress === undefined ? {} : { progress }),
    ...(liveAt ? { liveAt } : {}),
  };
}

function events(log: string): TranscoderEvent[] {
  return log.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const event = TranscoderEvent.safeParse(JSON.parse(line));
      return event.success ? [event.data] : [];
    } catch {
      return []; // a log line, not an event
    }
  });
}

/** The percent of the last progress event in a chunk of log text. */
export function lastProgress(log: string): number | undefined {
  const progress = events(log).filter((event) => event.event === 'progress');
  return progress.at(-1)?.percent;
}

/** When the first rendition went live (`rendition-live`), in a chunk of log text. */
export function firstLiveAt(log: string): Date | undefined {
  const live = events(log).find((event) => event.event === 'rendition-live');
  return live ? new Date(live.publishedAt) : undefined;
}
