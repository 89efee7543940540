import type { Job, VideoStatus } from '@videoforge/contracts';
import { useApi } from '../../auth/auth-context.tsx';
import { Alert } from '../../components/alert.tsx';
import { JobStatusPanel } from '../../components/job-status.tsx';
import { errorMessage } from '../../lib/api-client.ts';

/** The newest job's progress with retry and cancel (owners and admins). */
export function VideoJobPanel({
  job,
  videoStatus,
  onJobChanged,
  onActionError,
}: {
  job: Job | undefined;
  videoStatus: VideoStatus;
  onJobChanged: (job: Job) => void;
  /** Cleared (undefined) when an action starts; the page shows the message. */
  onActionError: (message: string | undefined) => void;
}) {
  const api = useApi();

  const jobAction = async (current: Job, action: 'retry' | 'cancel') => {
    onActionError(undefined);
    try {
      const next = await api.request<Job>('POST', `/api/jobs/${current.id}/${action}`, {
        auth: 'required',
      });
      onJobChanged(next);
    } catch (failure) {
      onActionError(errorMessage(failure));
    }
  };

  if (job)
    return (
      <JobStatusPanel
        job={job}
        onRetry={() => void jobAction(job, 'retry')}
        onCancel={() => void jobAction(job, 'cancel')}
      />
    );
  if (videoStatus === 'failed')
    return (
      <Alert kind="error" title="Transcoding failed">
        The transcode did not produce any rendition.
      </Alert>
    );
  return null;
}
