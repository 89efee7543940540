import type { Video } from '@videoforge/contracts';
import { useEffect, useState } from 'react';
import { useApi } from '../auth/auth-context.tsx';
import { parseThumbnailsVtt, type ThumbnailCue } from '../player/thumbnails-vtt.ts';

/** Seek thumbnails of a ready video, loaded on first use (e.g. hovering its card). */
export function useThumbnailCues(
  video: Pick<Video, 'id' | 'status'>,
  wanted: boolean,
): ThumbnailCue[] {
  const api = useApi();
  const [cues, setCues] = useState<ThumbnailCue[]>([]);
  const load = wanted && video.status === 'ready' && cues.length === 0;
  useEffect(() => {
    if (!load) return;
    let cancelled = false;
    const url = `/api/stream/${encodeURIComponent(video.id)}/thumbnails.vtt`;
    void api
      .accessToken()
      .catch(() => undefined)
      .then((token) => fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} }))
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => {
        if (!cancelled) setCues(parseThumbnailsVtt(text, new URL(url, location.href).href));
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api, video.id, load]);
  return cues;
}

/**
 * A preview that flips through the seek thumbnails over the poster while `active` (hover
 * or keyboard focus on the card). Decorative: hidden from assistive technology.
 */
export function SpritePreview({ cues, active }: { cues: ThumbnailCue[]; active: boolean }) {
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (!active || cues.length < 2) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % cues.length), 500);
    return () => clearInterval(timer);
  }, [active, cues.length]);
  const cue = cues[index % Math.max(cues.length, 1)];
  if (!active || !cue) return null;
  return (
    <div
      className="absolute inset-0 overflow-hidden bg-black"
      aria-hidden="true"
      data-testid="sprite-preview"
    >
      <div
        className="absolute top-1/2 left-1/2 origin-center"
        style={{
          width: cue.width,
          height: cue.height,
          backgroundImage: `url("${cue.url}")`,
          backgroundPosition: `-${cue.x}px -${cue.y}px`,
          transform: `translate(-50%, -50%) scale(${Math.max(1, 320 / cue.width)})`,
        }}
      />
    </div>
  );
}
