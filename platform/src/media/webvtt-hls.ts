import { formatTimestamp, parseSync, type NodeCue } from 'subtitle';

/** One subtitle cue, times in milliseconds from the start of the video. */
export interface CaptionCue {
  startMs: number;
  endMs: number;
  text: string;
  /** WebVTT cue settings (position, align …), kept as they were. */
  settings?: string;
}

export class CaptionParseError extends Error {
  override name = 'CaptionParseError';
}

/**
 * Parses SubRip or WebVTT text into cues with the `subtitle` package, which throws on
 * anything that is not one of them. Cues with no text or an end before their start are
 * dropped; a file that leaves no cue is refused.
 */
export function parseCaptions(text: string): CaptionCue[] {
  const body = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .trim();
  // An empty track (ffmpeg writes a bare header for a stream without cues).
  if (body === '' || /^WEBVTT[^\n]*$/.test(body))
    throw new CaptionParseError('the file has no subtitle cues');
  let nodes;
  try {
    nodes = parseSync(`${body}\n`);
  } catch (error) {
    throw new CaptionParseError(
      `not a SubRip (.srt) or WebVTT (.vtt) file: ${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}`,
    );
  }
  const cues = nodes
    .filter((node): node is NodeCue => node.type === 'cue')
    .map(({ data }) => ({
      startMs: Math.max(0, Math.round(data.start)),
      endMs: Math.round(data.end),
      text: sanitizeCueText(data.text),
      // Cue settings are `name:value` pairs; anything else (a stray "-->", markup) is dropped.
      ...(data.settings &&
      /^[A-Za-z]+:[A-Za-z0-9.%,-]+( [A-Za-z]+:[A-Za-z0-9.%,-]+)*$/.test(data.settings.trim())
        ? { settings: data.settings.trim() }
        : {}),
    }))
    .filter((cue) => cue.text !== '' && Number.isFinite(cue.endMs) && cue.endMs > cue.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  if (cues.length === 0) throw new CaptionParseError('the file has no subtitle cues');
  return cues;
}

/**
 * A cue payload may not contain a blank line or "-->" (either would end or fake a cue);
 * SubRip's {\an8}-style ASS override tags mean nothing to WebVTT.
 */
function sanitizeCueText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/-->/g, '->')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n')
    .trim();
}

export interface SegmentedWebVtt {
  /** The HLS media playlist (segments named relative to it). */
  playlist: string;
  segments: Array<{ name: string; content: string }>;
}

/**
 * HLS subtitle renditions are segmented WebVTT: one file per segment window, each with
 * an X-TIMESTAMP-MAP header tying its cue times to the media timeline. Our fMP4 media
 * timeline starts at 0 (ffmpeg shifts every stream of the source by the same offset),
 * so LOCAL 0 maps to MPEGTS 0. A cue that crosses a boundary is repeated in each
 * segment it overlaps, as the HLS spec allows; players de-duplicate it.
 */
export function segmentWebVtt(
  cues: readonly CaptionCue[],
  options: { segmentSeconds: number; durationSeconds: number },
): SegmentedWebVtt {
  const segmentMs = Math.max(1, Math.round(options.segmentSeconds * 1000));
  // Segments cover the video; a cue past its end still lands in the last segment.
  const totalMs = Math.max(1, Math.round(options.durationSeconds * 1000));
  const count = Math.max(1, Math.ceil(totalMs / segmentMs));
  const segments: SegmentedWebVtt['segments'] = [];
  const entries: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const from = i * segmentMs;
    const to = i === count - 1 ? Number.POSITIVE_INFINITY : from + segmentMs;
    const inWindow = cues.filter((cue) => cue.startMs < to && cue.endMs > from);
    const name = `segment-${String(i).padStart(5, '0')}.vtt`;
    segments.push({ name, content: renderSegment(inWindow) });
    const seconds = (Math.min(totalMs, from + segmentMs) - from) / 1000;
    entries.push(`#EXTINF:${seconds.toFixed(3)},`, name);
  }
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.ceil(segmentMs / 1000)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...entries,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  return { playlist, segments };
}

/** A whole WebVTT file (what a download of the track or the API's GET returns). */
export function renderWebVtt(cues: readonly CaptionCue[]): string {
  return renderCues(['WEBVTT', ''], cues);
}

function renderSegment(cues: readonly CaptionCue[]): string {
  return renderCues(['WEBVTT', 'X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000', ''], cues);
}

function renderCues(header: string[], cues: readonly CaptionCue[]): string {
  const blocks = cues.map(
    (cue) =>
      `${formatTimestamp(cue.startMs, { format: 'WebVTT' })} --> ${formatTimestamp(cue.endMs, { format: 'WebVTT' })}` +
      `${cue.settings ? ` ${cue.settings}` : ''}\n${cue.text}\n`,
  );
  return [header.join('\n'), ...blocks].join('\n');
}
