import type { AudioStreamInfo, MediaMetadata } from '@videoforge/contracts';

/** One source audio track as it will be encoded: once, shared by every video rendition. */
export interface AudioTrackPlan {
  /** `a0`, `a1` … in stream order; the storage directory under `tracks/`. */
  id: string;
  source: AudioStreamInfo;
  language?: string;
  name: string;
  /** The main mix: DEFAULT=YES, and the audio of every progressive MP4. */
  default: boolean;
  channels: 1 | 2;
  downmix: 'none' | 'downmixed';
  /** The filter chain from the source stream to 48 kHz AAC input. */
  filter: string;
  bitrateKbps: number;
}

export interface AudioTrackOptions {
  /** AAC bit rate for stereo; mono gets half. */
  stereoBitrateKbps: number;
}

export const DEFAULT_STEREO_KBPS = 128;
export const OUTPUT_SAMPLE_RATE = 48_000;

/**
 * Every audio track becomes one alternate rendition. The main mix is the track the
 * container marks `default` (else the first): that is what the probe put in
 * `metadata.audio`, so a commentary that happens to come first stays an alternate.
 */
export function planAudioTracks(
  metadata: MediaMetadata,
  options: AudioTrackOptions = { stereoBitrateKbps: DEFAULT_STEREO_KBPS },
): AudioTrackPlan[] {
  const tracks = metadata.audioTracks ?? (metadata.audio ? [metadata.audio] : []);
  const mainIndex = metadata.audio?.index ?? tracks[0]?.index;
  return tracks.map((source, position) => {
    const channels: 1 | 2 = source.channels === 1 ? 1 : 2;
    const language = bcp47(source.language);
    return {
      id: `a${position}`,
      source,
      ...(language ? { language } : {}),
      name: trackName(source.title, language, position),
      default: source.index === mainIndex,
      channels,
      downmix: source.channels > 2 ? 'downmixed' : 'none',
      filter: audioFilter(source),
      bitrateKbps:
        channels === 1
          ? Math.max(32, Math.round(options.stereoBitrateKbps / 2))
          : options.stereoBitrateKbps,
    };
  });
}

/** ISO 639-2 tags ("eng", "ger") become their BCP 47 form ("en", "de"), as HLS LANGUAGE wants. */
export function bcp47(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The menu label: the stream's title, else its language's name, else "Track N". */
export function trackName(
  title: string | undefined,
  language: string | undefined,
  position: number,
): string {
  if (title) return title;
  if (language) {
    try {
      const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(language);
      if (name && name !== language) return name;
    } catch {
      // an unknown tag keeps its code below
    }
    return language;
  }
  return `Track ${position + 1}`;
}

/**
 * Stereo downmix coefficients per source channel (ITU-R BS.775: centre and surrounds at
 * −3 dB, i.e. ×0.7071; LFE dropped, as broadcast downmixes do). `pan`'s `<` then scales
 * each output's gains to sum to 1, so a full-scale 5.1 mix cannot clip.
 */
const DOWNMIX: Record<string, { left: number; right: number }> = {
  FL: { left: 1, right: 0 },
  FR: { left: 0, right: 1 },
  FC: { left: 0.7071, right: 0.7071 },
  LFE: { left: 0, right: 0 },
  BL: { left: 0.7071, right: 0 },
  BR: { left: 0, right: 0.7071 },
  SL: { left: 0.7071, right: 0 },
  SR: { left: 0, right: 0.7071 },
  BC: { left: 0.5, right: 0.5 },
  FLC: { left: 0.7071, right: 0 },
  FRC: { left: 0, right: 0.7071 },
};

/** ffmpeg's channel order for the layouts that sources carry. */
const LAYOUT_CHANNELS: Record<string, readonly string[]> = {
  '3.0': ['FL', 'FR', 'FC'],
  quad: ['FL', 'FR', 'BL', 'BR'],
  '4.0': ['FL', 'FR', 'FC', 'BC'],
  '5.0': ['FL', 'FR', 'FC', 'BL', 'BR'],
  '5.0(side)': ['FL', 'FR', 'FC', 'SL', 'SR'],
  '5.1': ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR'],
  '5.1(side)': ['FL', 'FR', 'FC', 'LFE', 'SL', 'SR'],
  '6.1': ['FL', 'FR', 'FC', 'LFE', 'BC', 'SL', 'SR'],
  '7.1': ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR', 'SL', 'SR'],
  '7.1(wide)': ['FL', 'FR', 'FC', 'LFE', 'BL', 'BR', 'FLC', 'FRC'],
};

/** By channel count, when the source states no layout. */
const DEFAULT_LAYOUT: Record<number, string> = {
  3: '3.0',
  4: 'quad',
  5: '5.0',
  6: '5.1',
  7: '6.1',
  8: '7.1',
};

/** The `pan` expression folding a surround layout to stereo, or undefined for an unknown one. */
export function downmixPan(
  channelLayout: string | undefined,
  channels: number,
): string | undefined {
  const layout =
    channelLayout && LAYOUT_CHANNELS[channelLayout] ? channelLayout : DEFAULT_LAYOUT[channels];
  const names = layout ? LAYOUT_CHANNELS[layout] : undefined;
  if (!names || names.length !== channels) return undefined;
  const side = (key: 'left' | 'right') =>
    names
      .filter((name) => (DOWNMIX[name]?.[key] ?? 0) > 0)
      .map((name) => `${DOWNMIX[name]?.[key]}*${name}`)
      .join('+');
  return `pan=stereo|FL<${side('left')}|FR<${side('right')}`;
}

/**
 * From the source stream to what the AAC encoder takes: silence padded in front of a
 * track that starts after the video (so every rendition starts together and A/V stay in
 * sync), 3+ channels folded to stereo, mono kept mono, 48 kHz.
 */
export function audioFilter(source: AudioStreamInfo): string {
  const steps = ['aresample=async=1:first_pts=0'];
  if (source.channels > 2) {
    const pan = downmixPan(source.channelLayout, source.channels);
    // An exotic layout falls back to swresample's own matrix, which uses the same
    // −3 dB centre/surround coefficients.
    steps.push(pan ?? 'aresample=ochl=stereo');
  }
  const layout = source.channels === 1 ? 'mono' : 'stereo';
  steps.push(
    `aformat=sample_fmts=fltp:sample_rates=${OUTPUT_SAMPLE_RATE}:channel_layouts=${layout}`,
  );
  return steps.join(',');
}
