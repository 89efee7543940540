import { OUTPUT_FILES } from '@videoforge/contracts';

/**
 * Where outputs live, locally and in storage, and how storage serves them. Every
 * rendition gets `{outputPrefix}{name}/` with its CMAF/HLS playlist, init segment,
 * media segments, a progressive MP4 and, written last, rendition.json. The names the
 * controller and API also rely on come from contracts' OUTPUT_FILES.
 */
export const RENDITION_FILES = {
  playlist: OUTPUT_FILES.renditionPlaylist,
  init: 'init.mp4',
  /** ffmpeg's pattern; the HLS muxer numbers segments from 0. */
  segmentPattern: 'segment-%05d.m4s',
  manifest: OUTPUT_FILES.renditionManifest,
} as const;

export const FINAL_FILES = {
  master: OUTPUT_FILES.master,
  poster: OUTPUT_FILES.poster,
  sprite: OUTPUT_FILES.sprite,
  thumbnails: OUTPUT_FILES.thumbnails,
} as const;

export function contentTypeFor(fileName: string): string {
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  switch (extension) {
    case 'm3u8':
      return 'application/vnd.apple.mpegurl';
    case 'm4s':
      return 'video/iso.segment';
    case 'mp4':
      return 'video/mp4';
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg';
    case 'vtt':
      return 'text/vtt; charset=utf-8';
    case 'json':
      return 'application/json';
    default:
      return 'application/octet-stream';
  }
}

/**
 * Media bytes under a job's prefix never change once written (a retry re-encodes the
 * same GOP-aligned segments), so they are cached for a year. Playlists, the VTT track,
 * the poster and manifests are what a retry or re-finalize rewrites, so they stay short.
 */
export function cacheControlFor(fileName: string): string {
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  return extension === 'm4s' || extension === 'mp4' || fileName.endsWith('sprite.jpg')
    ? 'public, max-age=31536000, immutable'
    : 'public, max-age=60';
}

/**
 * Upload order: media first, then the playlist that references it, the manifest last,
 * so a reader that finds a playlist (or the manifest) finds everything it names.
 */
export function uploadRank(fileName: string): number {
  if (fileName === RENDITION_FILES.manifest) return 3;
  if (fileName.endsWith('.m3u8')) return 2;
  if (fileName === RENDITION_FILES.init) return 0;
  return 1;
}
