/**
 * HLS playlists name other resources in two places: on their own line (variant
 * playlists, segments) and in URI="…" attributes (#EXT-X-MAP, #EXT-X-MEDIA,
 * #EXT-X-I-FRAME-STREAM-INF, keys). Rewriting is split in two pure steps so the
 * caller can sign every URI (asynchronously) in between.
 */
const URI_ATTRIBUTE = /URI="([^"]*)"/g;

export function playlistUris(text: string): string[] {
  const uris = new Set<string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      for (const match of line.matchAll(URI_ATTRIBUTE)) if (match[1]) uris.add(match[1]);
    } else {
      uris.add(line);
    }
  }
  return [...uris];
}

/** Replaces each URI by its mapping; URIs without one are dropped with their line (never served unsigned). */
export function rewritePlaylist(text: string, mapping: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      let dropped = false;
      const rewritten = line.replace(URI_ATTRIBUTE, (whole, uri: string) => {
        const mapped = mapping.get(uri);
        if (mapped === undefined) dropped = true;
        return mapped === undefined ? whole : `URI="${mapped}"`;
      });
      if (!dropped) out.push(rewritten);
    } else {
      const mapped = mapping.get(line);
      if (mapped !== undefined) out.push(mapped);
      else if (out.at(-1)?.startsWith('#EXTINF') || out.at(-1)?.startsWith('#EXT-X-STREAM-INF'))
        out.pop();
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Resolves a playlist-relative URI against the playlist's directory key. Only plain
 * relative paths that stay inside that directory resolve; anything else (absolute
 * URLs, `..`, query strings) is refused, so a playlist can never get a foreign key signed.
 */
export function resolveInside(directory: string, uri: string): string | undefined {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(uri)) return undefined;
  if (uri.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return `${directory}${uri}`;
}

/** How long segment URLs live: the whole film must play through on one playlist fetch, but no longer than needed. */
export function segmentUrlTtlSeconds(durationSeconds: number | null): number {
  const seconds = Math.ceil((durationSeconds ?? 0) * 1.5) + 600;
  return Math.min(Math.max(seconds, 900), 6 * 3600);
}

/**
 * The image URIs of a WebVTT thumbnails track (`sprite.jpg#xywh=…` cue payloads), so
 * they can be signed like playlist URIs.
 */
export function thumbnailImageUris(vtt: string): string[] {
  const uris = new Set<string>();
  for (const payload of vttPayloadLines(vtt)) uris.add(payload.split('#')[0] ?? '');
  uris.delete('');
  return [...uris];
}

/** Replaces each cue's image URI (keeping its #xywh fragment); cues without a mapping are dropped. */
export function rewriteThumbnailsVtt(vtt: string, mapping: ReadonlyMap<string, string>): string {
  const blocks = vtt.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const out: string[] = [];
  for (const block of blocks) {
    const lines = block.split('\n');
    const timing = lines.findIndex((line) => line.includes('-->'));
    if (timing < 0) {
      if (block.trim() !== '') out.push(block.trim());
      continue;
    }
    const payload = lines[timing + 1]?.trim() ?? '';
    const hash = payload.indexOf('#');
    const uri = hash < 0 ? payload : payload.slice(0, hash);
    const mapped = mapping.get(uri);
    if (mapped === undefined) continue;
    out.push(
      [...lines.slice(0, timing + 1), `${mapped}${hash < 0 ? '' : payload.slice(hash)}`].join('\n'),
    );
  }
  return `${out.join('\n\n')}\n`;
}

function vttPayloadLines(vtt: string): string[] {
  const payloads: string[] = [];
  const lines = vtt.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, index) => {
    if (line.includes('-->')) {
      const payload = lines[index + 1]?.trim();
      if (payload) payloads.push(payload);
    }
  });
  return payloads;
}
