import { JobPage, Video, type Job } from '@videoforge/contracts';
import { useCallback, useEffect, useState } from 'react';
import { useApi, useSession } from '../../auth/auth-context.tsx';
import { useJobEvents } from '../../events/job-events.tsx';
import { ApiError, errorMessage } from '../../lib/api-client.ts';
import { applyJobEvent, isPlayable } from '../../lib/jobs.ts';

export type LoadedVideo =
  | { status: 'loading' }
  | { status: 'missing' }
  | { status: 'error'; message: string }
  | { status: 'ok'; video: Video };

export interface VideoWithJob {
  loaded: LoadedVideo;
  /** The signed-in user owns the video or is an admin: edit, delete, see the job. */
  canManage: boolean;
  /** The newest job of the video (owners and admins only). */
  job: Job | undefined;
  setVideo: (video: Video) => void;
  setJob: (job: Job) => void;
  reloadVideo: () => void;
}

/**
 * The video and its newest job, kept live: job events move the job's progress on, and
 * the video row is reloaded when a rendition lands or the job ends.
 */
export function useVideoWithJob(id: string): VideoWithJob {
  const api = useApi();
  const session = useSession();
  const [loaded, setLoaded] = useState<LoadedVideo>({ status: 'loading' });
  const [job, setJob] = useState<Job | undefined>();
  const user = session.status === 'signed-in' ? session.session.user : undefined;
  const video = loaded.status === 'ok' ? loaded.video : undefined;
  const canManage = !!user && !!video && (user.role === 'admin' || user.id === video.ownerId);

  const loadVideo = useCallback(
    () =>
      api
        .request('GET', `/api/videos/${encodeURIComponent(id)}`, { schema: Video })
        .then(
          (result): LoadedVideo => ({ status: 'ok', video: result }),
          (failure: unknown): LoadedVideo =>
            failure instanceof ApiError && (failure.status === 404 || failure.status === 400)
              ? { status: 'missing' }
              : { status: 'error', message: errorMessage(failure) },
        )
        .then(setLoaded),
    [api, id],
  );

  const loadJob = useCallback(
    () =>
      api
        .request('GET', `/api/jobs?videoId=${encodeURIComponent(id)}&pageSize=1`, {
          schema: JobPage,
          auth: 'required',
        })
        .then(
          (page) => page.items[0],
          () => undefined,
        )
        .then(setJob),
    [api, id],
  );

  // Once the session is known (a private video needs it); the route remounts per id.
  useEffect(() => {
    if (session.status !== 'loading') void loadVideo();
  }, [loadVideo, session.status]);

  useEffect(() => {
    if (canManage) void loadJob();
  }, [canManage, loadJob]);

  // Live: this video's job progress; the video row changes state when a rendition lands.
  useJobEvents(
    (event) => {
      if (event.videoId !== id) return;
      setJob((current) =>
        current && current.id === event.jobId ? applyJobEvent(current, event) : current,
      );
      if (!job || job.id !== event.jobId) void loadJob();
      const before = job ? isPlayable(job) : false;
      const after =
        event.playable === true ||
        event.status === 'succeeded' ||
        (event.renditions ?? []).some((rendition) => rendition.phase === 'succeeded');
      if (event.status !== 'running' || after !== before) void loadVideo();
    },
    () => {
      void loadVideo();
      if (canManage) void loadJob();
    },
  );

  const setVideo = useCallback((next: Video) => setLoaded({ status: 'ok', video: next }), []);
  const reloadVideo = useCallback(() => void loadVideo(), [loadVideo]);
  return { loaded, canManage, job, setVideo, setJob, reloadVideo };
}
