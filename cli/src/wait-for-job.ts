import { setTimeout as sleep } from 'node:timers/promises';
import { Job } from '@videoforge/contracts';
import type { ApiClient } from './api-client.ts';
import { TransientError } from './exit-codes.ts';
import type { ProgressLine, Reporter } from './progress.ts';
import { withRetry } from './retry.ts';

export type JobOutcome = { ok: true; job: Job } | { ok: false; job: Job };

/**
 * Follows a job until it ends, with one progress line per rendition (from the job's
 * `renditions`, which the controller reports), polling once a second.
 */
export async function waitForJob(
  api: ApiClient,
  jobId: string,
  label: string,
  reporter: Reporter,
  { intervalMs = 1000 }: { intervalMs?: number } = {},
): Promise<JobOutcome> {
  const lines = new Map<string, ProgressLine>();
  const overall = reporter.line(`${label} transcode`, 'percent');
  overall.start(100, 0);
  for (;;) {
    const job = await withRetry(() => api.request('GET', `/api/jobs/${jobId}`, Job));
    for (const rendition of job.renditions) {
      let line = lines.get(rendition.name);
      if (!line) {
        line = reporter.line(`  ${label} ${rendition.name}`, 'percent');
        line.start(100, 0);
        lines.set(rendition.name, line);
      }
      line.set(Math.round(rendition.progress));
      line.status(rendition.phase);
    }
    overall.set(Math.round(job.progress));
    overall.status(job.status);
    switch (job.status) {
      case 'succeeded':
        for (const line of lines.values()) line.finish('succeeded');
        overall.finish('succeeded');
        return { ok: true, job };
      case 'failed':
      case 'cancelled':
        overall.status(`${job.status}${job.errorMessage ? `: ${job.errorMessage}` : ''}`);
        return { ok: false, job };
      case 'pending':
      case 'running':
        break;
    }
    await sleep(intervalMs);
  }
}

export { TransientError };
