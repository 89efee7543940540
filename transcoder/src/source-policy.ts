import path from 'node:path';

/**
 * Where ffmpeg may read from. A source is either a presigned https URL (or plain http
 * on loopback, which only tests and all-in-one mode enable) or a file we wrote under a
 * configured directory. Each kind carries the protocol whitelist ffmpeg gets with it.
 */
export type SourceInput =
  | { kind: 'url'; url: string; protocols: readonly string[] }
  | { kind: 'file'; path: string; protocols: readonly ['file'] };

export interface SourcePolicy {
  allowLoopbackHttp: boolean;
  /** Absolute directories a local source must sit in (e.g. the local storage's objects/). */
  localRoots: readonly string[];
}

export type SourceDecision = { ok: true; source: SourceInput } | { ok: false; reason: string };

const HTTPS_PROTOCOLS = ['https', 'tls', 'tcp'] as const;
const LOOPBACK_HTTP_PROTOCOLS = ['http', 'tcp'] as const;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

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

export function resolveSource(raw: string, policy: SourcePolicy): SourceDecision {
  const refused = (reason: string): SourceDecision => ({ ok: false, reason });
  if (raw.startsWith('/')) {
    const resolved = path.resolve(raw);
    const inside = policy.localRoots.some((root) => isInside(path.resolve(root), resolved));
    return inside
      ? { ok: true, source: { kind: 'file', path: resolved, protocols: ['file'] } }
      : refused('a local source must be a file under one of the configured source directories');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused('the source must be an https URL or an absolute path');
  }
  if (url.username || url.password) return refused('the source URL must not carry credentials');
  if (url.protocol === 'https:') {
    return { ok: true, source: { kind: 'url', url: url.href, protocols: HTTPS_PROTOCOLS } };
  }
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return policy.allowLoopbackHttp
      ? { ok: true, source: { kind: 'url', url: url.href, protocols: LOOPBACK_HTTP_PROTOCOLS } }
      : refused('plain http sources are disabled (TRANSCODE_ALLOW_LOOPBACK_HTTP)');
  }
  return refused(`the ${url.protocol.replace(/:$/, '')} scheme is not allowed; use an https URL`);
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
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
