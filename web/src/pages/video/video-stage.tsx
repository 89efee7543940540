import { DownloadsResponse, type Video } from '@videoforge/contracts';
import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../../auth/auth-context.tsx';
import { Alert } from '../../components/alert.tsx';
import { usePosterUrl } from '../../components/poster-image.tsx';
import { parseThumbnailsVtt, type ThumbnailCue } from '../../player/thumbnails-vtt.ts';
import { VideoPlayer } from '../../player/video-player.tsx';

type PlayerBasis = 'playable' | 'ready';

const basisOf = (video: Video): PlayerBasis => (video.status === 'ready' ? 'ready' : 'playable');

/** The sprite cues for seek previews, once every rendition (and so the sprite) is there. */
function useThumbnailCues(videoId: string, ready: boolean): ThumbnailCue[] {
  const api = useApi();
  const [thumbnails, setThumbnails] = useState<ThumbnailCue[]>([]);
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    void (async () => {
      try {
        const token = await api.accessToken();
        const url = `/api/stream/${encodeURIComponent(videoId)}/thumbnails.vtt`;
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
  }, [api, videoId, ready]);
  return thumbnails;
}

/**
 * A promise that resolves once `done` turns true, stable across renders: what the
 * engines that only play finished outputs wait on.
 */
function useWhenDone(done: boolean): () => Promise<void> {
  const [deferred] = useState(() => {
    let resolve = () => {};
    const promise = new Promise<void>((settle) => (resolve = settle));
    return { promise, resolve };
  });
  useEffect(() => {
    if (done) deferred.resolve();
  }, [done, deferred]);
  return useCallback(() => deferred.promise, [deferred]);
}

/**
 * The player once the video is playable (a rendition has segments, even while the
 * transcode runs), else what the transcode is doing.
 */
export function VideoStage({ video }: { video: Video }) {
  const api = useApi();
  const id = video.id;
  const playable = video.playable || video.status === 'playable' || video.status === 'ready';
  const processing = video.status !== 'ready';
  const whenProcessed = useWhenDone(!processing);
  // What the player was started on: a video that became playable early keeps playing
  // the renditions it had when the rest arrive, and offers to switch (no interruption).
  const [playerBasis, setPlayerBasis] = useState<PlayerBasis | undefined>(
    playable ? basisOf(video) : undefined,
  );
  // Set while rendering, so the player mounts once with its basis as key.
  if (playable && playerBasis === undefined) setPlayerBasis(basisOf(video));
  const thumbnails = useThumbnailCues(id, video.status === 'ready');
  const posterUrl = usePosterUrl(video);
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

  return (
    <>
      {playable ? (
        <VideoPlayer
          key={playerBasis}
          masterUrl={`/api/stream/${encodeURIComponent(id)}/master.m3u8`}
          dashUrl={`/api/stream/${encodeURIComponent(id)}/manifest.mpd`}
          title={video.title}
          posterUrl={posterUrl}
          thumbnails={thumbnails}
          getAccessToken={getAccessToken}
          loadMp4Sources={loadMp4Sources}
          allowNativeHls={video.visibility === 'public'}
          processing={processing}
          whenProcessed={whenProcessed}
        />
      ) : (
        <div
          className="flex aspect-video items-center justify-center rounded-lg bg-slate-900 p-6 text-center text-slate-200"
          data-testid="not-playable"
        >
          {video.status === 'failed'
            ? 'Transcoding failed: this video cannot be played.'
            : 'Transcoding… the video becomes playable as soon as its first segments are ready.'}
        </div>
      )}
      {playerBasis === 'playable' && video.status === 'ready' && (
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
    </>
  );
}
