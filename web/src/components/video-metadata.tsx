import type { Video } from '@videoforge/contracts';
import {
  formatBitrate,
  formatBytes,
  formatDate,
  formatDuration,
  formatResolution,
} from '../lib/format.ts';

/** Duration, resolution, codecs, size: what the API's probe found in the source. */
export function VideoMetadata({ video }: { video: Video }) {
  const rows: [string, string][] = [
    ['Duration', formatDuration(video.durationSeconds)],
    ['Resolution', formatResolution(video.width, video.height)],
    ['Frame rate', video.frameRate ? `${Math.round(video.frameRate * 100) / 100} fps` : '—'],
    ['Video codec', video.videoCodec ?? '—'],
    ['Audio codec', video.audioCodec ?? 'none'],
    ['Bit rate', formatBitrate(video.bitRate)],
    ['File size', formatBytes(video.fileSize)],
    ['Original file', video.originalFilename ?? '—'],
    ['Uploaded', formatDate(video.createdAt)],
  ];
  return (
    <section
      aria-labelledby={`metadata-${video.id}`}
      className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      data-testid="metadata"
    >
      <h2 id={`metadata-${video.id}`} className="mb-2 font-semibold">
        Source details
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
            <dd
              className="break-all"
              data-testid={`metadata-${term.toLowerCase().replace(/ /g, '-')}`}
            >
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
