import type { Video } from '@videoforge/contracts';
import {
  formatBitrate,
  formatBytes,
  formatDate,
  formatDuration,
  formatRenditionQuality,
  formatTwinQuality,
  formatResolution,
} from '../lib/format.ts';

/** What the transcode did to the picture: shown so an HDR or interlaced source's look is explained. */
function processingRows(processing: Video['processing']): [string, string][] {
  if (!processing) return [];
  const range = { SDR: 'SDR', PQ: 'HDR10 (PQ)', HLG: 'HDR (HLG)' }[processing.sourceDynamicRange];
  return [
    ['Dynamic range', range],
    [
      'Tone mapping',
      processing.toneMapped
        ? `to SDR BT.709 (${processing.toneMapCurve ?? 'tone-mapped'})`
        : 'none',
    ],
    [
      'Deinterlacing',
      processing.deinterlaced
        ? `bwdif, ${processing.deinterlaced === 'field-rate' ? 'one frame per field' : 'one frame per frame'}`
        : 'none (progressive)',
    ],
  ];
}

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
    ...processingRows(video.processing),
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
      {video.renditions && video.renditions.length > 0 && (
        <>
          <h3 id={`quality-${video.id}`} className="mt-3 mb-1 text-sm font-semibold">
            Measured quality (against the source)
          </h3>
          <ul aria-labelledby={`quality-${video.id}`} className="text-sm" data-testid="quality">
            {video.renditions.flatMap(({ name, quality, twins }) => [
              <li key={name}>{formatRenditionQuality(name, quality)}</li>,
              ...(twins ?? []).map((twin) => (
                <li key={twin.variant}>{formatTwinQuality(twin.variant, twin.quality)}</li>
              )),
            ])}
          </ul>
        </>
      )}
    </section>
  );
}
