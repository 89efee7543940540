import { useState } from 'react';
import { useParams } from 'react-router';
import { Alert } from '../components/alert.tsx';
import { MediaTracks, useVideoTracks } from '../components/media-tracks.tsx';
import { VideoMetadata } from '../components/video-metadata.tsx';
import { useVideoWithJob } from './video/use-video-with-job.ts';
import { VideoDeleteButton } from './video/video-delete-button.tsx';
import { VideoEditPanel } from './video/video-edit-panel.tsx';
import { VideoJobPanel } from './video/video-job-panel.tsx';
import { VideoStage } from './video/video-stage.tsx';
import { VideoSummary } from './video/video-summary.tsx';

/** /videos/:id — one page instance per video, so nothing leaks from the previous one. */
export function VideoRoute() {
  const { id = '' } = useParams();
  return <VideoPage key={id} id={id} />;
}

export function VideoPage({ id }: { id: string }) {
  const { loaded, canManage, job, setVideo, setJob, reloadVideo } = useVideoWithJob(id);
  // A failed retry, cancel or delete: shown above the job, whichever panel it came from.
  const [actionError, setActionError] = useState<string | undefined>();
  const video = loaded.status === 'ok' ? loaded.video : undefined;
  // Reloaded as the job moves on: the tracks appear once the audio step has run.
  const tracks = useVideoTracks(id, `${video?.status}:${job?.status}:${job?.progress}`);

  if (loaded.status === 'loading') return <p role="status">Loading…</p>;
  if (loaded.status === 'missing')
    return (
      <Alert kind="error" title="Video not found">
        It may have been deleted, or it is private.
      </Alert>
    );
  if (loaded.status === 'error')
    return (
      <Alert kind="error" title="The video could not be loaded">
        {loaded.message}
      </Alert>
    );
  const current = loaded.video;

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
      <div className="space-y-4">
        <VideoStage video={current} />
        <VideoSummary video={current} />
        {actionError && <Alert kind="error">{actionError}</Alert>}
        {canManage && (
          <VideoJobPanel
            job={job}
            videoStatus={current.status}
            onJobChanged={(next) => {
              setJob(next);
              reloadVideo();
            }}
            onActionError={setActionError}
          />
        )}
      </div>
      <aside className="space-y-4">
        <VideoMetadata video={current} />
        {tracks && <MediaTracks tracks={tracks} />}
        {canManage && (
          <VideoEditPanel video={current} onSaved={setVideo}>
            <VideoDeleteButton video={current} onFailed={setActionError} />
          </VideoEditPanel>
        )}
      </aside>
    </div>
  );
}
