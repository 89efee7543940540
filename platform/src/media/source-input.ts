/**
 * Where ffmpeg or ffprobe may read from: a URL (presigned https, or plain http where the
 * caller allows it) or a local file. Each kind carries the protocol whitelist it gets, so
 * a crafted playlist or concat list cannot make the tool open anything else. Which URLs
 * and directories are acceptable is the caller's policy; this module only confines.
 */
export type SourceInput =
  | { kind: 'url'; url: string; protocols: readonly string[] }
  | { kind: 'file'; path: string; protocols: readonly ['file'] };

export const HTTPS_PROTOCOLS = ['https', 'tls', 'tcp'] as const;
export const HTTP_PROTOCOLS = ['http', 'tcp'] as const;

/**
 * Demuxers a source may use. Everything that opens further URLs or files by itself
 * (hls, dash, concat, image2 sequences, tee, subfile …) is absent, so a crafted
 * playlist or concat list renamed .mp4 is refused before it reads anything.
 */
export const ALLOWED_DEMUXERS = [
  'mov',
  'mp4',
  'm4a',
  '3gp',
  '3g2',
  'mj2',
  'matroska',
  'webm',
  'avi',
  'flv',
  'mpegts',
  'mpeg',
  'asf',
  'ogg',
  'mxf',
] as const;

/**
 * A URL the caller made itself (e.g. its storage's presigned GET): https gets TLS with
 * certificate verification, anything else plain http, and nothing more.
 */
export function urlSource(url: string): SourceInput {
  return {
    kind: 'url',
    url,
    protocols: url.startsWith('https:') ? HTTPS_PROTOCOLS : HTTP_PROTOCOLS,
  };
}

/** The input name ffmpeg sees: `file:` stops a colon in a path being read as a protocol. */
export function ffmpegInputName(source: SourceInput): string {
  return source.kind === 'file' ? `file:${source.path}` : source.url;
}

/**
 * Input options that confine ffmpeg/ffprobe to the source: the protocol and demuxer
 * whitelists always; for URLs, certificate verification (ffmpeg's default is off), a
 * read timeout so a stalled server fails the run, and reconnects for long reads.
 */
export function inputSafetyOptions(source: SourceInput): string[] {
  const options = [
    '-protocol_whitelist',
    source.protocols.join(','),
    '-format_whitelist',
    ALLOWED_DEMUXERS.join(','),
  ];
  switch (source.kind) {
    case 'file':
      return options;
    case 'url':
      return [
        ...options,
        ...(source.protocols.includes('tls') ? ['-tls_verify', '1'] : []),
        '-rw_timeout',
        '30000000',
        '-reconnect',
        '1',
        '-reconnect_on_network_error',
        '1',
        '-reconnect_delay_max',
        '5',
      ];
  }
}

/** A URL fit for logs: presigned query strings are credentials. */
export function describeSource(source: SourceInput): string {
  if (source.kind === 'file') return source.path;
  const url = new URL(source.url);
  return `${url.origin}${url.pathname}`;
}

/**
 * Text with every URL's query and fragment removed: ffmpeg's error lines quote the
 * input URL, and a presigned URL's query is a credential that must not reach job
 * error messages, events or logs.
 */
export function withoutUrlCredentials(text: string): string {
  return text.replace(/\b(https?:\/\/[^\s?#'"]+)[?#][^\s'"]*/g, '$1');
}
