import type { Video } from '@videoforge/contracts';
import { useEffect, useState } from 'react';
import { useApi } from '../auth/auth-context.tsx';

export function posterPath(videoId: string): string {
  return `/api/stream/${encodeURIComponent(videoId)}/poster.jpg`;
}

/**
 * The poster's URL: public posters load straight from the API (which redirects to a
 * signed storage URL); private ones need the session, so they are fetched with the
 * access token and shown from a blob URL. Undefined until the video is ready.
 */
export function usePosterUrl(
  video: Pick<Video, 'id' | 'visibility' | 'status'>,
): string | undefined {
  const api = useApi();
  const [blobUrl, setBlobUrl] = useState<string | undefined>();
  const hasPoster = video.status === 'ready';
  const needsAuth = video.visibility === 'private';
  useEffect(() => {
    if (!hasPoster || !needsAuth) return;
    let revoked = false;
    let url: string | undefined;
    void (async () => {
      try {
        const token = await api.accessToken();
        const response = await fetch(posterPath(video.id), {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        });
        if (!response.ok || revoked) return;
        url = URL.createObjectURL(await response.blob());
        if (revoked) URL.revokeObjectURL(url);
        else setBlobUrl(url);
      } catch {
        // No poster: the placeholder stays.
      }
    })();
    return () => {
      revoked = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, video.id, hasPoster, needsAuth]);
  if (!hasPoster) return undefined;
  return needsAuth ? blobUrl : posterPath(video.id);
}

export function PosterImage({
  video,
  className = '',
}: {
  video: Pick<Video, 'id' | 'visibility' | 'status' | 'title'>;
  className?: string;
}) {
  const url = usePosterUrl(video);
  const [failed, setFailed] = useState(false);
  if (!url || failed)
    return (
      <div
        className={`flex items-center justify-center bg-slate-200 text-slate-500 dark:bg-slate-800 dark:text-slate-400 ${className}`}
        aria-hidden="true"
      >
        <svg viewBox="0 0 24 24" width="40" height="40" fill="currentColor">
          <path d="M18 4l2 4h-3l-2-4h-2l2 4h-3l-2-4H8l2 4H7L5 4H4c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h16c1.1 0 2-.9 2-2V4h-4z" />
        </svg>
      </div>
    );
  return (
    <img
      src={url}
      alt=""
      loading="lazy"
      className={`bg-slate-200 object-cover dark:bg-slate-800 ${className}`}
      onError={() => setFailed(true)}
      data-testid="poster"
    />
  );
}
