import {
  AUDIO_GROUP_ID,
  SUBTITLE_GROUP_ID,
  type AudioTrackManifest,
  type SubtitleTrackManifest,
} from './media-tracks.ts';
import { FAMILY_SUFFIX, familyOfVariant } from './codec-families.ts';
import type { RenditionManifest } from './renditions.ts';

/** The variant Apple's authoring guide suggests playback starts on: about 2 Mb/s. */
const PREFERRED_START_BANDWIDTH = 2_000_000;

/** What a variant line needs: a finished rendition's manifest, or a running one's live.json. */
export type MasterVariant = Pick<
  RenditionManifest,
  | 'name'
  | 'width'
  | 'height'
  | 'frameRate'
  | 'codecs'
  | 'bandwidth'
  | 'averageBandwidth'
  | 'playlist'
  | 'videoRange'
>;

/** The alternate renditions the video variants refer to (`EXT-X-MEDIA`). */
export interface MasterTracks {
  audio: readonly AudioTrackManifest[];
  subtitles: readonly SubtitleTrackManifest[];
}

/**
 * The HLS multivariant (master) playlist over rendition manifests: written by the
 * transcoder's finalize step, and served by the API over the renditions finished so
 * far while a job still runs. The first variant is where Safari starts, so it is the
 * H.264 one closest to 2 Mb/s; the rest follow by family (H.264 and its HDR twins, then
 * HEVC, then AV1), highest first. With tracks, every audio track
 * is an `EXT-X-MEDIA TYPE=AUDIO` rendition of one group (the main mix DEFAULT=YES) and
 * every subtitle one of `TYPE=SUBTITLES`; each variant names both groups, adds the
 * audio codec to CODECS and the largest audio rendition's peak to BANDWIDTH.
 */
export function renderMasterPlaylist(
  renditions: readonly MasterVariant[],
  tracks: MasterTracks = { audio: [], subtitles: [] },
): string {
  if (renditions.length === 0) throw new Error('a master playlist needs at least one rendition');
  const byBandwidth = [...renditions].sort(
    (a, b) => b.bandwidth - a.bandwidth || b.height - a.height,
  );
  // Start on an SDR H.264 variant: every player can show it; HDR, HEVC and AV1 players
  // then switch by CODECS and VIDEO-RANGE.
  const sdr = byBandwidth.filter(
    (r) => (r.videoRange ?? 'SDR') === 'SDR' && familyOfVariant(r.name) === 'h264',
  );
  const start = (sdr.length > 0 ? sdr : byBandwidth).reduce((best, candidate) =>
    Math.abs(candidate.averageBandwidth - PREFERRED_START_BANDWIDTH) <
    Math.abs(best.averageBandwidth - PREFERRED_START_BANDWIDTH)
      ? candidate
      : best,
  );
  // H.264 (with its HDR twins) first, then each other family's set, highest first.
  const setOf = (r: MasterVariant) =>
    r.name.endsWith(FAMILY_SUFFIX.hevc) ? 1 : r.name.endsWith(FAMILY_SUFFIX.av1) ? 2 : 0;
  const ordered = [
    start,
    ...byBandwidth.filter((r) => r !== start).sort((a, b) => setOf(a) - setOf(b)),
  ];
  const audio = tracks.audio;
  const audioPeak = Math.max(0, ...audio.map((a) => a.bandwidth));
  const audioAverage = Math.max(0, ...audio.map((a) => a.averageBandwidth));
  const audioCodecs = [...new Set(audio.map((a) => a.codecs))];
  const groups =
    (audio.length > 0 ? `,AUDIO="${AUDIO_GROUP_ID}"` : '') +
    (tracks.subtitles.length > 0 ? `,SUBTITLES="${SUBTITLE_GROUP_ID}"` : '');
  const variants = ordered.map((r) => {
    const codecs = [...new Set([...r.codecs.split(','), ...audioCodecs])].join(',');
    return [
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth + audioPeak},AVERAGE-BANDWIDTH=${r.averageBandwidth + audioAverage},` +
        `RESOLUTION=${r.width}x${r.height},CODECS="${codecs}",` +
        `FRAME-RATE=${(r.frameRate.num / r.frameRate.den).toFixed(3)},` +
        // Players that can show HDR choose by it; SDR variants say so explicitly.
        `VIDEO-RANGE=${r.videoRange ?? 'SDR'}${groups}`,
      `${r.name}/${r.playlist}`,
    ].join('\n');
  });
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...audioMediaLines(audio),
    ...subtitleMediaLines(tracks.subtitles),
    ...variants,
    '',
  ].join('\n');
}

function audioMediaLines(audio: readonly AudioTrackManifest[]): string[] {
  const names = uniqueNames(audio.map((a) => a.name));
  // Exactly one DEFAULT=YES: the main mix (or the first, should none be marked).
  const main = audio.find((a) => a.default) ?? audio[0];
  return audio.map(
    (a, i) =>
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP_ID}"` +
      (a.language ? `,LANGUAGE="${quoted(a.language)}"` : '') +
      `,NAME="${names[i]}",DEFAULT=${a === main ? 'YES' : 'NO'},AUTOSELECT=YES` +
      `,CHANNELS="${a.channels}",URI="${a.playlist}"`,
  );
}

export function subtitleMediaLines(subtitles: readonly SubtitleTrackManifest[]): string[] {
  const names = uniqueNames(subtitles.map((s) => s.name));
  return subtitles.map(
    (s, i) =>
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLE_GROUP_ID}"` +
      (s.language ? `,LANGUAGE="${quoted(s.language)}"` : '') +
      `,NAME="${names[i]}",DEFAULT=${s.default ? 'YES' : 'NO'},AUTOSELECT=${s.default || s.forced ? 'YES' : 'NO'}` +
      `,FORCED=${s.forced ? 'YES' : 'NO'},URI="${s.playlist}"`,
  );
}

/**
 * Adds subtitle renditions (sidecar captions uploaded after the job) to a finished
 * master playlist: their EXT-X-MEDIA lines go before the first variant, and every
 * variant gains the SUBTITLES group when it lacks one.
 */
export function withSubtitleRenditions(
  master: string,
  extra: readonly SubtitleTrackManifest[],
): string {
  if (extra.length === 0) return master;
  const lines = master.split(/\r?\n/);
  const existing = lines.filter((l) => l.startsWith('#EXT-X-MEDIA:TYPE=SUBTITLES'));
  const taken = existing.map((l) => /NAME="([^"]*)"/.exec(l)?.[1] ?? '');
  const names = uniqueNames([...taken, ...extra.map((s) => s.name)]).slice(taken.length);
  const added = subtitleMediaLines(extra.map((s, i) => ({ ...s, name: names[i] ?? s.name })));
  const out: string[] = [];
  let inserted = false;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      if (!inserted) out.push(...added);
      inserted = true;
      out.push(line.includes('SUBTITLES=') ? line : `${line},SUBTITLES="${SUBTITLE_GROUP_ID}"`);
    } else out.push(line);
  }
  return out.join('\n');
}

/**
 * HLS quoted strings hold no double quote, CR or LF. A straight apostrophe is legal but
 * some parsers take it for a quote, so titles get the typographic one.
 */
function quoted(text: string): string {
  return text
    .replace(/[\r\n]/g, ' ')
    .replace(/"/g, '”')
    .replace(/'/g, '’')
    .trim();
}

/** NAME must differ within a group: "English", "English (2)", … */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw) => {
    const name = quoted(raw) || 'Track';
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}
