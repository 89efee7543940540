import type { MediaMetadata, SkippedTrack, SubtitleStreamInfo } from '@videoforge/contracts';
import { bcp47, trackName } from './audio-tracks.ts';

/** Text codecs ffmpeg converts to WebVTT. */
export const TEXT_SUBTITLE_CODECS = [
  'mov_text',
  'subrip',
  'srt',
  'ass',
  'ssa',
  'webvtt',
  'text',
] as const;
/** Bitmap codecs: pictures of text, which WebVTT cannot carry without OCR. */
export const IMAGE_SUBTITLE_CODECS = [
  'hdmv_pgs_subtitle',
  'dvb_subtitle',
  'dvd_subtitle',
  'xsub',
] as const;

export interface SubtitlePlan {
  /** `s0`, `s1` … over the text subtitles kept; the storage directory under `tracks/`. */
  id: string;
  source: SubtitleStreamInfo;
  language?: string;
  name: string;
  default: boolean;
  forced: boolean;
}

export interface SubtitleDecision {
  subtitles: SubtitlePlan[];
  skipped: SkippedTrack[];
}

/**
 * Text subtitles become WebVTT renditions; image-based ones (PGS, DVB, DVD) and any
 * codec we do not know are reported as skipped, never a failure.
 */
export function planSubtitles(metadata: MediaMetadata): SubtitleDecision {
  const subtitles: SubtitlePlan[] = [];
  const skipped: SkippedTrack[] = [];
  for (const source of metadata.subtitles ?? []) {
    const language = bcp47(source.language);
    if ((TEXT_SUBTITLE_CODECS as readonly string[]).includes(source.codec)) {
      subtitles.push({
        id: `s${subtitles.length}`,
        source,
        ...(language ? { language } : {}),
        name: trackName(source.title, language, subtitles.length),
        default: source.isDefault === true,
        forced: source.forced === true,
      });
    } else {
      skipped.push({
        kind: 'subtitle',
        sourceIndex: source.index,
        codec: source.codec,
        ...(language ? { language } : {}),
        reason: (IMAGE_SUBTITLE_CODECS as readonly string[]).includes(source.codec)
          ? `${source.codec} subtitles are images; WebVTT carries text only, so the track was skipped`
          : `${source.codec} subtitles cannot be converted to WebVTT, so the track was skipped`,
      });
    }
  }
  return { subtitles, skipped };
}
