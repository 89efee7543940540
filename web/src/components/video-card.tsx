import type { Video } from '@videoforge/contracts';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatDate, formatDuration } from '../lib/format.ts';
import { PosterImage } from './poster-image.tsx';
import { SpritePreview, useThumbnailCues } from './sprite-preview.tsx';

const statusStyles: Record<Video['status'], string> = {
  uploading: 'bg-slate-600',
  processing: 'bg-amber-600',
  playable: 'bg-sky-600',
  ready: 'bg-emerald-600',
  failed: 'bg-red-600',
};

export function VideoCard({
  video,
  showOwner,
  onDelete,
}: {
  video: Video;
  showOwner: boolean;
  onDelete?: ((video: Video) => void) | undefined;
}) {
  const [previewing, setPreviewing] = useState(false);
  const cues = useThumbnailCues(video, previewing);
  return (
    <li
      className="group overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
      data-testid="video-card"
      data-video-id={video.id}
    >
      <Link
        to={`/videos/${video.id}`}
        className="block focus-visible:outline-offset-0"
        onPointerEnter={() => setPreviewing(true)}
        onPointerLeave={() => setPreviewing(false)}
        onFocus={() => setPreviewing(true)}
        onBlur={() => setPreviewing(false)}
      >
        <div className="relative overflow-hidden">
          <PosterImage video={video} className="aspect-video w-full" />
          <SpritePreview cues={cues} active={previewing} />
          {video.durationSeconds !== null && (
            <span className="absolute right-2 bottom-2 rounded bg-black/75 px-1.5 py-0.5 text-xs text-white tabular-nums">
              {formatDuration(video.durationSeconds)}
            </span>
          )}
          {video.status !== 'ready' && (
            <span
              className={`absolute top-2 left-2 rounded px-1.5 py-0.5 text-xs font-medium text-white ${statusStyles[video.status]}`}
            >
              {video.status}
            </span>
          )}
        </div>
        <div className="p-3">
          <h3 className="line-clamp-2 font-medium group-hover:underline">{video.title}</h3>
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            {showOwner && <>{video.ownerName} · </>}
            <time dateTime={video.createdAt}>{formatDate(video.createdAt)}</time>
            {video.visibility === 'private' && <> · Private</>}
          </p>
        </div>
      </Link>
      {onDelete && (
        <div className="border-t border-slate-100 px-3 py-2 text-right dark:border-slate-800">
          <button
            type="button"
            className="text-sm text-red-700 hover:underline dark:text-red-400"
            onClick={() => onDelete(video)}
            aria-label={`Delete ${video.title}`}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
