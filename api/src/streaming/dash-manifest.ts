import { create } from 'xmlbuilder2';
import type { DynamicRange, FrameRate } from '@videoforge/contracts';

/**
 * A static (VOD) DASH MPD over the CMAF segments the HLS playlists already list: no
 * new media, only another index of it. Every URL is given as the caller made it (the
 * route signs them), so this module stays pure and knows nothing about storage.
 */

/** One media segment of a representation, in playback order. */
export interface DashSegment {
  url: string;
  durationSeconds: number;
}

export interface DashSegmentList {
  initialization: string;
  segments: readonly DashSegment[];
}

export interface DashVideoRepresentation {
  /** The variant's name ("720p", "720p-hdr"), unique in the MPD. */
  id: string;
  /** RFC 6381, as the rendition manifest records it ("avc1.64001f"). */
  codecs: string;
  width: number;
  height: number;
  frameRate: FrameRate;
  /** Peak segment bit rate, bit/s. */
  bandwidth: number;
  /** Absent means SDR. */
  videoRange?: DynamicRange;
  segmentList: DashSegmentList;
}

export interface DashAudioRepresentation {
  /** The track id ("a0"), unique in the MPD. */
  id: string;
  codecs: string;
  bandwidth: number;
  channels: number;
  language?: string;
  label: string;
  /** The source's main mix: Role "main", every other track "alternate". */
  main: boolean;
  segmentList: DashSegmentList;
}

/** A WebVTT subtitle as one sidecar file (DASH players take text/vtt whole, not segmented). */
export interface DashTextTrack {
  id: string;
  language?: string;
  label: string;
  forced: boolean;
  url: string;
}

export interface DashPresentation {
  video: readonly DashVideoRepresentation[];
  audio: readonly DashAudioRepresentation[];
  text: readonly DashTextTrack[];
}

export type CodecFamily = 'h264' | 'hevc' | 'av1' | 'vp9';

const FAMILY_BY_SAMPLE_ENTRY: Record<string, CodecFamily> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  av01: 'av1',
  vp09: 'vp9',
};

/** The codec family of a codecs string's video codec ("avc1.64001f,mp4a.40.2" → h264). */
export function codecFamilyOf(codecs: string): CodecFamily | undefined {
  for (const codec of codecs.split(',')) {
    const family = FAMILY_BY_SAMPLE_ENTRY[codec.trim().split('.')[0] ?? ''];
    if (family) return family;
  }
  return undefined;
}

/** Players may switch only between representations of one codec family and dynamic range. */
export interface VideoAdaptationSet {
  family: CodecFamily;
  videoRange: DynamicRange;
  representations: DashVideoRepresentation[];
}

const FAMILY_ORDER: readonly CodecFamily[] = ['h264', 'hevc', 'av1', 'vp9'];
const RANGE_ORDER: readonly DynamicRange[] = ['SDR', 'PQ', 'HLG'];

/**
 * One set per codec family and dynamic range (H.264 SDR first: every player decodes
 * it), representations highest first. A representation of no known family is left
 * out: a player could not tell whether it decodes it.
 */
export function videoAdaptationSets(
  video: readonly DashVideoRepresentation[],
): VideoAdaptationSet[] {
  const sets = new Map<string, VideoAdaptationSet>();
  for (const representation of video) {
    const family = codecFamilyOf(representation.codecs);
    if (!family) continue;
    const videoRange = representation.videoRange ?? 'SDR';
    const key = `${family}/${videoRange}`;
    const set = sets.get(key) ?? { family, videoRange, representations: [] };
    set.representations.push(representation);
    sets.set(key, set);
  }
  return [...sets.values()]
    .sort(
      (a, b) =>
        FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family) ||
        RANGE_ORDER.indexOf(a.videoRange) - RANGE_ORDER.indexOf(b.videoRange),
    )
    .map((set) => ({
      ...set,
      representations: [...set.representations].sort(
        (a, b) => b.bandwidth - a.bandwidth || b.height - a.height,
      ),
    }));
}

type XmlNode = ReturnType<typeof create>;

/** Segment times are written in milliseconds. */
const TIMESCALE = 1000;
/** A text Representation needs a bandwidth; a WebVTT file's is negligible. */
const TEXT_BANDWIDTH = 256;
/** ISO/IEC 23001-8 (CICP) code points of the HDR twins (BT.2020 primaries and matrix). */
const TRANSFER_CHARACTERISTICS: Record<Exclude<DynamicRange, 'SDR'>, number> = {
  PQ: 16,
  HLG: 18,
};
const CICP = 'urn:mpeg:mpegB:cicp:';
const AUDIO_CHANNELS_SCHEME = 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011';
const ROLE_SCHEME = 'urn:mpeg:dash:role:2011';

/** Seconds as an xs:duration, to the millisecond ("PT5.034S"). */
export function isoDuration(seconds: number): string {
  return `PT${(Math.round(seconds * 1000) / 1000).toFixed(3)}S`;
}

/** A representation's length: what its segments add up to. */
export function segmentListDuration(list: DashSegmentList): number {
  return list.segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
}

/**
 * The MPD document. mediaPresentationDuration is the longest video representation (the
 * picture sets the title's length; audio tracks run a few AAC frames over), minBufferTime
 * the longest segment, since a player must hold a whole segment before it can start.
 */
export function renderDashManifest(presentation: DashPresentation): string {
  const sets = videoAdaptationSets(presentation.video);
  if (sets.length === 0) throw new Error('a DASH manifest needs at least one video representation');
  const videoLists = sets.flatMap((set) => set.representations.map((r) => r.segmentList));
  const duration = Math.max(...videoLists.map(segmentListDuration));
  const longestSegment = Math.max(
    ...[...videoLists, ...presentation.audio.map((a) => a.segmentList)].flatMap((list) =>
      list.segments.map((segment) => segment.durationSeconds),
    ),
  );

  const mpd = create({ version: '1.0', encoding: 'UTF-8' }).ele(
    'urn:mpeg:dash:schema:mpd:2011',
    'MPD',
    {
      // SegmentList addressing is the main profile's (isoff-live wants SegmentTemplate,
      // which cannot carry a signature per segment URL).
      profiles: 'urn:mpeg:dash:profile:isoff-main:2011',
      type: 'static',
      mediaPresentationDuration: isoDuration(duration),
      minBufferTime: isoDuration(Math.ceil(longestSegment)),
    },
  );
  const period = mpd.ele('Period', { id: '0', start: 'PT0S' });
  let nextId = 0;

  for (const set of sets) {
    const adaptation = period.ele('AdaptationSet', {
      id: String(nextId++),
      contentType: 'video',
      mimeType: 'video/mp4',
      segmentAlignment: 'true',
      startWithSAP: '1',
      maxWidth: String(Math.max(...set.representations.map((r) => r.width))),
      maxHeight: String(Math.max(...set.representations.map((r) => r.height))),
    });
    if (set.videoRange !== 'SDR') {
      adaptation.ele('SupplementalProperty', { schemeIdUri: `${CICP}ColourPrimaries`, value: '9' });
      adaptation.ele('SupplementalProperty', {
        schemeIdUri: `${CICP}TransferCharacteristics`,
        value: String(TRANSFER_CHARACTERISTICS[set.videoRange]),
      });
      adaptation.ele('SupplementalProperty', {
        schemeIdUri: `${CICP}MatrixCoefficients`,
        value: '9',
      });
    }
    for (const r of set.representations) {
      const representation = adaptation.ele('Representation', {
        id: r.id,
        codecs: r.codecs,
        width: String(r.width),
        height: String(r.height),
        frameRate:
          r.frameRate.den === 1 ? String(r.frameRate.num) : `${r.frameRate.num}/${r.frameRate.den}`,
        bandwidth: String(r.bandwidth),
      });
      segmentList(representation, r.segmentList);
    }
  }

  for (const track of presentation.audio) {
    const adaptation = period.ele('AdaptationSet', {
      id: String(nextId++),
      contentType: 'audio',
      mimeType: 'audio/mp4',
      ...(track.language ? { lang: track.language } : {}),
      segmentAlignment: 'true',
      startWithSAP: '1',
    });
    adaptation.ele('Label').txt(track.label);
    adaptation.ele('Role', { schemeIdUri: ROLE_SCHEME, value: track.main ? 'main' : 'alternate' });
    const representation = adaptation.ele('Representation', {
      id: track.id,
      codecs: track.codecs,
      bandwidth: String(track.bandwidth),
    });
    representation.ele('AudioChannelConfiguration', {
      schemeIdUri: AUDIO_CHANNELS_SCHEME,
      value: String(track.channels),
    });
    segmentList(representation, track.segmentList);
  }

  for (const track of presentation.text) {
    const adaptation = period.ele('AdaptationSet', {
      id: String(nextId++),
      contentType: 'text',
      mimeType: 'text/vtt',
      ...(track.language ? { lang: track.language } : {}),
    });
    adaptation.ele('Label').txt(track.label);
    adaptation.ele('Role', {
      schemeIdUri: ROLE_SCHEME,
      value: track.forced ? 'forced-subtitle' : 'subtitle',
    });
    adaptation
      .ele('Representation', { id: track.id, bandwidth: String(TEXT_BANDWIDTH) })
      .ele('BaseURL')
      .txt(track.url);
  }

  return mpd.end({ prettyPrint: true }) + '\n';
}

/**
 * `<SegmentList>` with a `<SegmentTimeline>`: segment lengths vary (the last is short,
 * AAC frames do not divide a segment evenly). Start times are rounded from the running
 * total, so the durations add up to the list's length to the millisecond instead of
 * drifting by one rounding per segment.
 */
function segmentList(parent: XmlNode, list: DashSegmentList): void {
  const node = parent.ele('SegmentList', { timescale: String(TIMESCALE) });
  node.ele('Initialization', { sourceURL: list.initialization });
  const timeline = node.ele('SegmentTimeline');
  let elapsed = 0;
  let start = 0;
  let run: { t: number; d: number; r: number } | undefined;
  // Only the first S needs its start: each later one starts where the previous ended.
  let first = true;
  const flush = () => {
    if (!run) return;
    timeline.ele('S', {
      ...(first ? { t: String(run.t) } : {}),
      d: String(run.d),
      ...(run.r > 0 ? { r: String(run.r) } : {}),
    });
    first = false;
  };
  for (const segment of list.segments) {
    elapsed += segment.durationSeconds;
    const end = Math.round(elapsed * TIMESCALE);
    const d = end - start;
    if (run && run.d === d) run.r += 1;
    else {
      flush();
      run = { t: start, d, r: 0 };
    }
    start = end;
  }
  flush();
  for (const segment of list.segments) node.ele('SegmentURL', { media: segment.url });
}
