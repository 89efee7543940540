/**
 * Where a job's outputs live in storage, shared by the transcoder that writes them,
 * the controller that records them and the API that serves them:
 * `{outputPrefix}{rendition}/index.m3u8` per rendition, and the finalize step's
 * master playlist, poster and seek thumbnails beside them.
 */
export const OUTPUT_FILES = {
  renditionPlaylist: 'index.m3u8',
  renditionManifest: 'rendition.json',
  /** Beside a running rendition's first segments; removed once rendition.json is written. */
  liveManifest: 'live.json',
  master: 'master.m3u8',
  poster: 'poster.jpg',
  sprite: 'thumbnails/sprite.jpg',
  thumbnails: 'thumbnails/thumbnails.vtt',
} as const;

/** A job's output prefix: `videos/output/{jobId}/`, nothing above or beside it. */
export function isOutputPrefix(prefix: string): boolean {
  return /^videos\/output\/[A-Za-z0-9][A-Za-z0-9_-]{0,127}\/$/.test(prefix);
}

export function outputPrefixFor(jobId: string): string {
  return `videos/output/${jobId}/`;
}

/** `{outputPrefix}{rendition}/`: everything one rendition writes. */
export function renditionPrefix(outputPrefix: string, rendition: string): string {
  return `${outputPrefix}${rendition}/`;
}

/** The progressive MP4's name inside its rendition's folder (also its download name's tail). */
export function renditionMp4Name(rendition: string): string {
  return `${rendition}.mp4`;
}

export function renditionPlaylistKey(outputPrefix: string, rendition: string): string {
  return `${renditionPrefix(outputPrefix, rendition)}${OUTPUT_FILES.renditionPlaylist}`;
}

export function renditionMp4Key(outputPrefix: string, rendition: string): string {
  return `${renditionPrefix(outputPrefix, rendition)}${renditionMp4Name(rendition)}`;
}

export function finalOutputKey(
  outputPrefix: string,
  file: 'master' | 'poster' | 'sprite' | 'thumbnails',
): string {
  return `${outputPrefix}${OUTPUT_FILES[file]}`;
}

/**
 * `{outputPrefix}{rendition}/live.json`: a rendition that is still encoding but already
 * has its init segment, first segments and an EVENT playlist in storage. Never a claim
 * of completeness: that is rendition.json's job.
 */
export function liveManifestKey(outputPrefix: string, rendition: string): string {
  return `${renditionPrefix(outputPrefix, rendition)}${OUTPUT_FILES.liveManifest}`;
}

/** `{outputPrefix}tracks/live.json`: every audio track has its first segments up. */
export function liveTracksManifestKey(outputPrefix: string): string {
  return `${outputPrefix}tracks/${OUTPUT_FILES.liveManifest}`;
}
