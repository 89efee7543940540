/**
 * What the local storage adapter's signed GETs may be served as. The type an uploader
 * sent (or the key's extension) is otherwise trusted, and an upload stored as text/html
 * or image/svg+xml would run script on the API's own origin. Anything else goes out as
 * an opaque download.
 */
const SERVED = new Set([
  'application/vnd.apple.mpegurl',
  'application/x-mpegurl',
  'application/dash+xml',
  'application/json',
  'application/octet-stream',
  'text/vtt',
  'image/jpeg',
  'image/png',
  'image/webp',
]);

/** For objects stored without a type: the extensions the platform itself writes. */
const BY_EXTENSION: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.m4a': 'audio/mp4',
  '.vtt': 'text/vtt',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.json': 'application/json',
};

export function typeOfKey(key: string): string | undefined {
  const dot = key.lastIndexOf('.');
  return dot > key.lastIndexOf('/') ? BY_EXTENSION[key.slice(dot).toLowerCase()] : undefined;
}

export interface ServedType {
  contentType: string;
  /** Served as a download (Content-Disposition: attachment), never rendered. */
  attachment: boolean;
}

export function servedContentType(stored: string | undefined): ServedType {
  const type = (stored ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (SERVED.has(type) || /^(video|audio)\/[a-z0-9.+-]+$/.test(type))
    return { contentType: stored ?? type, attachment: false };
  return { contentType: 'application/octet-stream', attachment: true };
}
