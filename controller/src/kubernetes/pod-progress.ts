import type { CoreV1Api } from '@kubernetes/client-node';
import { TranscoderEvent } from '@videoforge/contracts';
import { CONTAINER_NAME } from './job-manifest.builder.ts';

/**
 * A running Job's progress, from the transcoder's last `progress` event in its pod's
 * log (the transcoder prints JSON events on stdout). Reading a short tail of one log
 * per active Job per pass is cheap, and needs no write access for the pods.
 */
export async function progressFromPodLog(
  core: CoreV1Api,
  namespace: string,
  jobName: string,
): Promise<number | undefined> {
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
    tailLines: 50,
  });
  return lastProgress(log);
}

/** The percent of the last progress event in a chunk of log text. */
export function lastProgress(log: string): number | undefined {
  const lines = log.split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const event = TranscoderEvent.safeParse(JSON.parse(line));
      if (event.success && event.data.event === 'progress') return event.data.percent;
    } catch {
      /* a log line, not an event */
    }
  }
  return undefined;
}
