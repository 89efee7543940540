import {
  DownloadsResponse,
  JobPage,
  Video,
  type Job,
  type Visibility,
} from '@videoforge/contracts';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useApi, useSession } from '../auth/auth-context.tsx';
import { Alert } from '../components/alert.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { JobStatusPanel } from '../components/job-status.tsx';
import { MediaTracks, useVideoTracks } from '../components/media-tracks.tsx';
import { usePosterUrl } from '../components/poster-image.tsx';
import { VideoMetadata } from '../components/video-metadata.tsx';
import { useJobEvents } from '../events/job-events.tsx';
import { ApiError, errorMessage } from '../lib/api-client.ts';
import { formatDate } from '../lib/format.ts';
import { applyJobEvent, isPlayable } from '../lib/jobs.ts';
import { parseThumbnailsVtt, type ThumbnailCue } from '../player/thumbnails-vtt.ts';
import { VideoPlayer } from '../player/video-player.tsx';

type Loaded =
  | { status: 'loading' }
  | { status: 'missing' }
  | { status: 'error'; message: string }
  | { status: 'ok'; video: Video };

/** /videos/:id — one page instance per video, so nothing leaks from the previous one. */
export function VideoRoute() {
  const { id = '' } = useParams();
  return <VideoPage key={id} id={id} />;
}

export function VideoPage({ id }: { id: string }) {
  const api = useApi();
  const session = useSession();
  const navigate = useNavigate();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  // What the player was started on: a video that became playable early keeps playing
  // the renditions it had when the rest arrive, and offers to switch (no interruption).
  const [playerBasis, setPlayerBasis] = useState<'playable' | 'ready' | undefined>();
  const [job, setJob] = useState<Job | undefined>();
  const [thumbnails, setThumbnails] = useState<ThumbnailCue[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>();
  const user = session.status === 'signed-in' ? session.session.user : undefined;
  const video = loaded.status === 'ok' ? loaded.video : undefined;
  const canManage = !!user && !!video && (user.role === 'admin' || user.id === video.ownerId);
  // Reloaded as the job moves on: the tracks appear once the audio step has run.
  const tracks = useVideoTracks(id, `${video?.status}:${job?.status}:${job?.progress}`);

  const loadVideo = useCallback(
    () =>
      api
        .request('GET', `/api/videos/${encodeURIComponent(id)}`, { schema: Video })
        .then(
          (result): Loaded => ({ status: 'ok', video: result }),
          (failure: unknown): Loaded =>
            failure instanceof ApiError && (failure.status === 404 || failure.status === 400)
              ? { status: 'missing' }
              : { status: 'error', message: errorMessage(failure) },
        )
        .then((next) => {
          setLoaded(next);
          if (
            next.status === 'ok' &&
            (next.video.status === 'playable' || next.video.status === 'ready')
          )
            setPlayerBasis((basis) => basis ?? (next.video.status as 'playable' | 'ready'));
        }),
    [api, id],
  );

  // The newest job of the video (owners and admins).
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
        event.status === 'succeeded' ||
        (event.renditions ?? []).some((rendition) => rendition.phase === 'succeeded');
      if (event.status !== 'running' || after !== before) void loadVideo();
    },
    () => {
      void loadVideo();
      if (canManage) void loadJob();
    },
  );

  const ready = video?.status === 'ready';
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    void (async () => {
      try {
        const token = await api.accessToken();
        const url = `/api/stream/${encodeURIComponent(id)}/thumbnails.vtt`;
        const response = await fetch(url, {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        });
        if (!response.ok || cancelled) return;
        setThumbnails(parseThumbnailsVtt(await response.text(), new URL(url, location.href).href));
      } catch {
        // Seek previews are optional.
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, id, ready]);

  const posterUrl = usePosterUrl(video ?? { id, visibility: 'public', status: 'processing' });
  const getAccessToken = useCallback(() => api.accessToken(), [api]);
  const loadMp4Sources = useCallback(
    async () =>
      (
        await api.request('GET', `/api/videos/${encodeURIComponent(id)}/downloads`, {
          schema: DownloadsResponse,
        })
      ).items.map(({ rendition, url }) => ({ rendition, url })),
    [api, id],
  );

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
  const playable = current.status === 'playable' || current.status === 'ready';

  const jobAction = async (action: 'retry' | 'cancel') => {
    if (!job) return;
    setActionError(undefined);
    try {
      const next = await api.request<Job>('POST', `/api/jobs/${job.id}/${action}`, {
        auth: 'required',
      });
      setJob(next);
      void loadVideo();
    } catch (failure) {
      setActionError(errorMessage(failure));
    }
  };

  const remove = async () => {
    setDeleting(true);
    try {
      await api.request('DELETE', `/api/videos/${current.id}`, { auth: 'required' });
      await navigate('/my-videos', { replace: true });
    } catch (failure) {
      setActionError(errorMessage(failure));
      setConfirming(false);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
      <div className="space-y-4">
        {playable ? (
          <VideoPlayer
            key={playerBasis}
            masterUrl={`/api/stream/${encodeURIComponent(current.id)}/master.m3u8`}
            title={current.title}
            posterUrl={posterUrl}
            thumbnails={thumbnails}
            getAccessToken={getAccessToken}
            loadMp4Sources={loadMp4Sources}
            allowNativeHls={current.visibility === 'public'}
          />
        ) : (
          <div
            className="flex aspect-video items-center justify-center rounded-lg bg-slate-900 p-6 text-center text-slate-200"
            data-testid="not-playable"
          >
            {current.status === 'failed'
              ? 'Transcoding failed: this video cannot be played.'
              : 'Transcoding… the video becomes playable as soon as its first rendition is ready.'}
          </div>
        )}
        {playerBasis === 'playable' && current.status === 'ready' && (
          <Alert kind="info">
            Every rendition is ready now.{' '}
            <button
              type="button"
              className="font-medium underline"
              onClick={() => setPlayerBasis('ready')}
            >
              Reload the player for all qualities
            </button>
          </Alert>
        )}
        <div>
          <h1 className="text-2xl font-bold" data-testid="video-title">
            {current.title}
          </h1>
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
            {current.ownerName} ·{' '}
            <time dateTime={current.createdAt}>{formatDate(current.createdAt)}</time> ·{' '}
            {current.visibility === 'private' ? 'Private' : 'Public'} ·{' '}
            <span data-testid="video-status">{current.status}</span>
          </p>
          {current.description && <p className="mt-3 whitespace-pre-line">{current.description}</p>}
        </div>
        {actionError && <Alert kind="error">{actionError}</Alert>}
        {job && canManage && (
          <JobStatusPanel
            job={job}
            onRetry={() => void jobAction('retry')}
            onCancel={() => void jobAction('cancel')}
          />
        )}
        {canManage && job === undefined && current.status === 'failed' && (
          <Alert kind="error" title="Transcoding failed">
            The transcode did not produce any rendition.
          </Alert>
        )}
      </div>
      <aside className="space-y-4">
        <VideoMetadata video={current} />
        {tracks && <MediaTracks tracks={tracks} />}
        {canManage && (
          <EditVideo
            video={current}
            onSaved={(saved) => setLoaded({ status: 'ok', video: saved })}
            onDelete={() => setConfirming(true)}
          />
        )}
      </aside>
      <ConfirmDialog
        open={confirming}
        title="Delete this video?"
        confirmLabel="Delete"
        busy={deleting}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void remove()}
      >
        “{current.title}” and all its renditions will be removed for good.
      </ConfirmDialog>
    </div>
  );
}

function EditVideo({
  video,
  onSaved,
  onDelete,
}: {
  video: Video;
  onSaved: (video: Video) => void;
  onDelete: () => void;
}) {
  const api = useApi();
  const [title, setTitle] = useState(video.title);
  const [description, setDescription] = useState(video.description);
  const [visibility, setVisibility] = useState<Visibility>(video.visibility);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const saved = await api.request('PATCH', `/api/videos/${video.id}`, {
        body: { title, description, visibility },
        schema: Video,
        auth: 'required',
      });
      onSaved(saved);
      setMessage({ kind: 'success', text: 'Saved.' });
    } catch (failure) {
      setMessage({ kind: 'error', text: errorMessage(failure) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      onSubmit={(event) => void save(event)}
      aria-labelledby="edit-title"
    >
      <h2 id="edit-title" className="font-semibold">
        Edit
      </h2>
      <div>
        <label htmlFor="edit-video-title" className="field-label">
          Title
        </label>
        <input
          id="edit-video-title"
          className="field-input"
          required
          maxLength={200}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
      </div>
      <div>
        <label htmlFor="edit-video-description" className="field-label">
          Description
        </label>
        <textarea
          id="edit-video-description"
          className="field-input"
          rows={3}
          maxLength={5000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <div>
        <label htmlFor="edit-video-visibility" className="field-label">
          Visibility
        </label>
        <select
          id="edit-video-visibility"
          className="field-input"
          value={visibility}
          onChange={(event) => setVisibility(event.target.value as Visibility)}
        >
          <option value="public">Public</option>
          <option value="private">Private</option>
        </select>
      </div>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div className="flex justify-between gap-2">
        <button type="submit" className="btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn-danger" onClick={onDelete}>
          Delete video
        </button>
      </div>
    </form>
  );
}
