import type { Video } from '@videoforge/contracts';
import { formatDate } from '../../lib/format.ts';

/** Title, owner, date, visibility, status and description under the player. */
export function VideoSummary({ video }: { video: Video }) {
  return (
    <div>
      <h1 className="text-2xl font-bold" data-testid="video-title">
        {video.title}
      </h1>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
        {video.ownerName} · <time dateTime={video.createdAt}>{formatDate(video.createdAt)}</time> ·{' '}
        {video.visibility === 'private' ? 'Private' : 'Public'} ·{' '}
        <span data-testid="video-status">{video.status}</span>
      </p>
      {video.description && <p className="mt-3 whitespace-pre-line">{video.description}</p>}
    </div>
  );
}
