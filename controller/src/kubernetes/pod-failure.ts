import type { CoreV1Api } from '@kubernetes/client-node';
import { TranscoderEvent, type VideoProcessing } from '@videoforge/contracts';
import { withQualityEvent, type MeasuredQuality } from '../reconcile/workload.ts';
import { CONTAINER_NAME } from './job-manifest.builder.ts';

/**
 * Why a failed Job's transcoder failed, in its own typed words: the last `failed` event
 * in its pod's termination message. The container runs with terminationMessagePolicy
 * FallbackToLogsOnError, so a failing container's log tail (stdout carries the JSON
 * events) becomes that message; the Job's own condition only says "exit code 2".
 */
export async function failureFromPods(
  core: CoreV1Api,
  namespace: string,
  jobName: string,
): Promise<string | undefined> {
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
  });
  const newestFirst = [...pods.items].sort((a, b) =>
    String(b.metadata?.creationTimestamp ?? '').localeCompare(
      String(a.metadata?.creationTimestamp ?? ''),
    ),
  );
  for (const pod of newestFirst) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const reason = lastFailure(status.state?.terminated?.message ?? '');
      if (reason) return reason;
    }
  }
  return undefined;
}

/** "code: message" of the last `failed` event in a chunk of log text. */
export function lastFailure(log: string): string | undefined {
  for (const line of log.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const event = TranscoderEvent.safeParse(JSON.parse(line));
      if (event.success && event.data.event === 'failed')
        return `${event.data.kind} ${event.data.code}: ${event.data.message}`;
    } catch {
      /* a log line, not an event */
    }
  }
  return undefined;
}

/**
 * What a finished rendition's transcoder did to the picture, from the
 * `rendition-uploaded` event in its pod's log; read once per TranscodeJob (the status
 * keeps it afterwards), while the Job's TTL has not removed the pod.
 */
export async function processingFromPods(
  core: CoreV1Api,
  namespace: string,
  jobName: string,
): Promise<VideoProcessing | undefined> {
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
  });
  for (const pod of pods.items.filter((p) => p.status?.phase === 'Succeeded')) {
    const name = pod.metadata?.name;
    if (!name) continue;
    const log = await core.readNamespacedPodLog({
      name,
      namespace,
      container: CONTAINER_NAME,
      tailLines: 200,
    });
    for (const line of log.split('\n').reverse()) {
      if (!line.startsWith('{')) continue;
      try {
        const event = TranscoderEvent.safeParse(JSON.parse(line));
        if (event.success && event.data.event === 'rendition-uploaded' && event.data.processing)
          return event.data.processing;
      } catch {
        /* a log line, not an event */
      }
    }
  }
  return undefined;
}

/**
 * Each rendition's and its twins' measured quality, from the `rendition-quality` events
 * in a finished producer's pod log (read while the Job's TTL has not removed the pod).
 */
export async function qualityFromPods(
  core: CoreV1Api,
  namespace: string,
  jobName: string,
): Promise<MeasuredQuality> {
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
  });
  let measured: MeasuredQuality = {};
  for (const pod of pods.items.filter((p) => p.status?.phase === 'Succeeded')) {
    const name = pod.metadata?.name;
    if (!name) continue;
    const log = await core.readNamespacedPodLog({
      name,
      namespace,
      container: CONTAINER_NAME,
      tailLines: 200,
    });
    for (const line of log.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const event = TranscoderEvent.safeParse(JSON.parse(line));
        if (event.success && event.data.event === 'rendition-quality')
          measured = withQualityEvent(measured, event.data);
      } catch {
        /* a log line, not an event */
      }
    }
  }
  return measured;
}
