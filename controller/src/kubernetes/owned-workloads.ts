import type { CoreV1Api, V1Job } from '@kubernetes/client-node';
import type { TranscodeJobResource } from '@videoforge/contracts';
import type { MeasuredQuality, ObservedWorkload } from '../reconcile/workload.ts';
import { observeJob } from './job-observer.ts';
import { failureFromPods, processingFromPods, qualityFromPods } from './pod-failure.ts';
import { readRunningPodLog } from './pod-progress.ts';

/**
 * The Jobs a TranscodeJob owns, as the reconciler's workloads, with what only their
 * pods know: progress from a running transcoder's log (and when it went live), the typed failure reason, and
 * what was done to the picture.
 */
export async function observeOwnedJobs(
  core: CoreV1Api,
  ns: string,
  resource: TranscodeJobResource,
  owned: V1Job[],
): Promise<ObservedWorkload[]> {
  const observed: ObservedWorkload[] = [];
  for (const job of owned) {
    const seen = observeJob(job);
    if (!seen) continue;
    // Only a Job with a ready pod has a transcoder printing progress; pending ones
    // (waiting for a node) cost no API calls.
    const ready = seen.state === 'active' && (job.status?.ready ?? 0) > 0;
    const reading = ready
      ? await readRunningPodLog(core, ns, seen.name, {
          // Only a producer of renditions publishes them live.
          wholeLog:
            !resource.status?.playableAt && (seen.type === 'rendition' || seen.type === 'ladder'),
        }).catch(() => undefined)
      : undefined;
    const progress = reading?.progress;
    if (seen.state === 'failed' && seen.failure) {
      // The transcoder's typed reason, from its pod while the pod exists (the Job's
      // TTL removes it), else as an earlier pass recorded it in the Failed condition.
      const earlier = resource.status?.conditions
        ?.find((c) => c.type === 'Failed' && c.status === 'True')
        ?.message?.match(new RegExp(`^${seen.name}: (.*)$`, 's'))?.[1];
      const reason = (await failureFromPods(core, ns, seen.name).catch(() => undefined)) ?? earlier;
      observed.push(reason ? { ...seen, failure: { ...seen.failure, message: reason } } : seen);
      continue;
    }
    observed.push({
      ...seen,
      ...(progress === undefined ? {} : { progress }),
      ...(reading?.liveAt ? { liveAt: reading.liveAt } : {}),
      ...(ready ? { progressPolled: true } : {}),
    });
  }
  // What the transcoder did to the picture: kept once the status has it, else read
  // once from a finished producer's pod log
  // (a rendition's or the ladder's: the tracks and finalize steps encode no picture).
  const producer = observed.find(
    (w) => w.state === 'succeeded' && (w.type === 'rendition' || w.type === 'ladder'),
  );
  if (producer) {
    const processing =
      resource.status?.video ??
      (await processingFromPods(core, ns, producer.name).catch(() => undefined));
    if (processing) producer.processing = processing;
  }
  // Measured quality: kept once the status has it; read from a producer's pod log only
  // on the passes before the status records its renditions as done, so a job measured
  // with TRANSCODE_QUALITY_METRICS=off costs no log reads afterwards.
  const previous = new Map((resource.status?.renditions ?? []).map((r) => [r.name, r]));
  for (const workload of observed) {
    if (
      workload.state !== 'succeeded' ||
      (workload.type !== 'rendition' && workload.type !== 'ladder')
    )
      continue;
    const kept = Object.fromEntries(
      workload.renditions.flatMap((name) => {
        const quality = previous.get(name)?.quality;
        return quality ? [[name, quality] as const] : [];
      }),
    );
    const keptTwins = Object.fromEntries(
      workload.renditions.flatMap((name) => {
        const twins = previous.get(name)?.twins;
        return twins?.length ? [[name, twins] as const] : [];
      }),
    );
    const unread = workload.renditions.some(
      (name) => !kept[name] && previous.get(name)?.phase !== 'Succeeded',
    );
    const read: MeasuredQuality = unread
      ? await qualityFromPods(core, ns, workload.name).catch(() => ({}))
      : {};
    const quality = { ...read.quality, ...kept };
    if (Object.keys(quality).length > 0) workload.quality = quality;
    const twinQuality = { ...read.twinQuality, ...keptTwins };
    if (Object.keys(twinQuality).length > 0) workload.twinQuality = twinQuality;
  }
  return observed;
}
