import type { Job, JobRendition } from '@videoforge/contracts';
import { ProgressBar } from './progress-bar.tsx';

/** The live view of one job: overall progress, each rendition's, and a failure's reason. */
export function JobStatusPanel({
  job,
  onRetry,
  onCancel,
}: {
  job: Pick<Job, 'id' | 'status' | 'progress' | 'renditions' | 'errorMessage' | 'formats'>;
  onRetry?: (() => void) | undefined;
  onCancel?: (() => void) | undefined;
}) {
  const renditions: JobRendition[] =
    job.renditions.length > 0
      ? job.renditions
      : job.formats.map((name) => ({ name, phase: 'pending', progress: 0 }));
  const tone = job.status === 'failed' ? 'red' : job.status === 'succeeded' ? 'emerald' : 'indigo';
  return (
    <section
      aria-labelledby={`job-${job.id}-title`}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      data-testid="job-status"
      data-status={job.status}
    >
      <div className="flex items-baseline justify-between gap-2">
        <h2 id={`job-${job.id}-title`} className="font-semibold">
          Transcoding: <span data-testid="job-status-text">{statusText(job.status)}</span>
        </h2>
        <span className="text-sm tabular-nums" data-testid="job-progress">
          {Math.round(job.progress)}%
        </span>
      </div>
      <ProgressBar
        value={job.progress}
        label="Transcoding progress"
        tone={tone}
        testId="job-progress-bar"
      />
      <ul className="grid gap-2 sm:grid-cols-2" aria-label="Renditions">
        {renditions.map((rendition) => (
          <li key={rendition.name} className="text-sm" data-testid={`rendition-${rendition.name}`}>
            <div className="flex justify-between">
              <span className="font-medium">{rendition.name}</span>
              <span className="text-slate-500 tabular-nums dark:text-slate-400">
                {rendition.phase === 'succeeded' ? 'ready' : rendition.phase}{' '}
                {rendition.phase === 'running' ? `${Math.round(rendition.progress)}%` : ''}
              </span>
            </div>
            <ProgressBar
              value={rendition.phase === 'succeeded' ? 100 : rendition.progress}
              label={`${rendition.name} progress`}
              size="sm"
              tone={
                rendition.phase === 'failed'
                  ? 'red'
                  : rendition.phase === 'succeeded'
                    ? 'emerald'
                    : 'indigo'
              }
            />
          </li>
        ))}
      </ul>
      {job.status === 'failed' && (
        <div
          role="alert"
          className="rounded-md bg-red-50 p-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <p className="font-semibold">Transcoding failed</p>
          <p data-testid="job-error">{job.errorMessage ?? 'No reason was given.'}</p>
        </div>
      )}
      {(onRetry || onCancel) && (
        <div className="flex gap-2">
          {onRetry && (job.status === 'failed' || job.status === 'cancelled') && (
            <button type="button" className="btn-secondary" onClick={onRetry}>
              Retry transcoding
            </button>
          )}
          {onCancel && (job.status === 'pending' || job.status === 'running') && (
            <button type="button" className="btn-secondary" onClick={onCancel}>
              Cancel transcoding
            </button>
          )}
        </div>
      )}
    </section>
  );
}

export function statusText(status: Job['status']): string {
  switch (status) {
    case 'pending':
      return 'queued';
    case 'running':
      return 'in progress';
    case 'succeeded':
      return 'done';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}
