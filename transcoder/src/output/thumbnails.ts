import { familyOfVariant, type MediaMetadata, type RenditionManifest } from '@videoforge/contracts';
import { rateValue } from '@videoforge/platform/media';

export interface PosterPlan {
  seekSeconds: number;
  /**
   * input: seek in the demuxer (fast; indexed containers). output: decode from the
   * start and drop frames up to the seek point, for containers without an index
   * (MPEG-TS, AVCHD, program streams), where a demuxer seek can land past the only
   * keyframe and decode nothing.
   */
  seek: 'input' | 'output';
  width: number;
  height: number;
  /** Frames the thumbnail filter compares before choosing one. */
  windowFrames: number;
}

export interface SpritePlan {
  intervalSeconds: number;
  count: number;
  columns: number;
  rows: number;
  thumbWidth: number;
  thumbHeight: number;
}

/** Fits a source into a box (long side at most `longSide`), even sizes, never upscaling. */
export function fitLongSide(
  width: number,
  height: number,
  longSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  const even = (value: number) => Math.max(2, 2 * Math.round((value * scale) / 2));
  return { width: even(width), height: even(height) };
}

/** The poster's long side at most, in pixels. */
export const POSTER_LONG_SIDE = 1280;

const INDEXED_CONTAINER = /(^|,)(mov|mp4|matroska|webm|avi|flv|asf|ogg|mxf)(,|$)/;

/**
 * The poster comes from a window starting a tenth into the video (past fades from
 * black and title cards), at most 30 s in, about three seconds long.
 */
export function planPoster(metadata: MediaMetadata, maxLongSide = POSTER_LONG_SIDE): PosterPlan {
  const { displayWidth, displayHeight, frameRate } = metadata.video;
  const duration = metadata.durationSeconds;
  const seekSeconds = Math.min(duration * 0.1, 30);
  // The thumbnail filter emits nothing when the input ends before its window fills, so
  // the window stays well inside what is left after the seek.
  const windowSeconds = Math.min(3, Math.max(0.04, (duration - seekSeconds) * 0.5));
  return {
    seekSeconds,
    seek: INDEXED_CONTAINER.test(metadata.container) ? 'input' : 'output',
    ...fitLongSide(displayWidth, displayHeight, maxLongSide),
    windowFrames: Math.max(1, Math.min(100, Math.floor(rateValue(frameRate) * windowSeconds))),
  };
}

export interface SpriteOptions {
  maxThumbnails?: number;
  columns?: number;
  thumbLongSide?: number;
}

/**
 * One sprite sheet of at most 100 thumbnails: one per second for short videos, spread
 * out evenly for longer ones, so the sheet stays one small image.
 */
export function planSprite(metadata: MediaMetadata, options: SpriteOptions = {}): SpritePlan {
  const maxThumbnails = options.maxThumbnails ?? 100;
  const duration = metadata.durationSeconds;
  const intervalSeconds = Math.max(1, Math.ceil(duration / maxThumbnails));
  const count = Math.max(1, Math.ceil(duration / intervalSeconds));
  const columns = Math.min(options.columns ?? 10, count);
  const thumb = fitLongSide(
    metadata.video.displayWidth,
    metadata.video.displayHeight,
    options.thumbLongSide ?? 160,
  );
  return {
    intervalSeconds,
    count,
    columns,
    rows: Math.ceil(count / columns),
    thumbWidth: thumb.width,
    thumbHeight: thumb.height,
  };
}

/** The WebVTT thumbnails track players (e.g. hls.js UIs, Video.js, Vidstack) read for seek previews. */
export function renderThumbnailsVtt(
  sprite: SpritePlan,
  durationSeconds: number,
  spriteUrl: string,
): string {
  const cues: string[] = [];
  for (let i = 0; i < sprite.count; i++) {
    const start = i * sprite.intervalSeconds;
    const end = Math.min((i + 1) * sprite.intervalSeconds, durationSeconds);
    const x = (i % sprite.columns) * sprite.thumbWidth;
    const y = Math.floor(i / sprite.columns) * sprite.thumbHeight;
    cues.push(
      `${vttTime(start)} --> ${vttTime(Math.max(end, start + 0.001))}\n${spriteUrl}#xywh=${x},${y},${sprite.thumbWidth},${sprite.thumbHeight}`,
    );
  }
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

function vttTime(seconds: number): string {
  const millis = Math.round(seconds * 1000);
  const h = Math.floor(millis / 3_600_000);
  const m = Math.floor((millis % 3_600_000) / 60_000);
  const s = Math.floor((millis % 60_000) / 1000);
  const ms = millis % 1000;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}

/**
 * The renditions the stills come from, so the source is never decoded a second time:
 * they are already deinterlaced, tone-mapped, rotated and indexed. The poster takes the
 * smallest SDR rendition at least as large as the poster, the sprite the smallest SDR rendition.
 */
export function thumbnailRenditions(
  manifests: readonly RenditionManifest[],
  posterLongSide = POSTER_LONG_SIDE,
): { poster: RenditionManifest; sprite: RenditionManifest } | undefined {
  const sdr = manifests
    // H.264 SDR: every ffmpeg decodes it quickly (an AV1 twin is the same picture).
    .filter((m) => (!m.videoRange || m.videoRange === 'SDR') && familyOfVariant(m.name) === 'h264')
    .sort((a, b) => a.width * a.height - b.width * b.height);
  const smallest = sdr[0];
  if (!smallest) return undefined;
  const poster =
    sdr.find((m) => Math.max(m.width, m.height) >= posterLongSide) ?? sdr[sdr.length - 1]!;
  return { poster, sprite: smallest };
}
