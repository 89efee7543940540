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

/** The chunked strategy's working files (per-chunk segment lists, init segments); stitch removes them. */
export const CHUNKS_DIR = 'chunks/';

function chunkFolder(index: number): string {
  return String(index).padStart(5, '0');
}

/** `{outputPrefix}chunks/{index}/`: one chunk's manifest and per-rendition segment lists. */
export function chunkPrefix(outputPrefix: string, index: number): string {
  return `${outputPrefix}${CHUNKS_DIR}${chunkFolder(index)}/`;
}

/** `{outputPrefix}chunks/{index}/{rendition}/`: the chunk's segment list and init segment. Its segments go to the rendition's own prefix, numbered globally. */
export function chunkRenditionPrefix(
  outputPrefix: string,
  index: number,
  rendition: string,
): string {
  return `${chunkPrefix(outputPrefix, index)}${rendition}/`;
}

/** Written last by a chunk: it is done once this exists. */
export function chunkManifestKey(outputPrefix: string, index: number): string {
  return `${chunkPrefix(outputPrefix, index)}chunk.json`;
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
