import path from 'node:path';
import { HTTP_PROTOCOLS, HTTPS_PROTOCOLS, type SourceInput } from '@videoforge/platform/media';

/**
 * Where the transcoder may read from: a presigned https URL (or plain http on loopback,
 * which only tests and all-in-one mode enable) or a file we wrote under a configured
 * directory. The resulting SourceInput carries the protocol whitelist ffmpeg gets.
 */
export interface SourcePolicy {
  allowLoopbackHttp: boolean;
  /** Absolute directories a local source must sit in (e.g. the local storage's objects/). */
  localRoots: readonly string[];
}

export type SourceDecision = { ok: true; source: SourceInput } | { ok: false; reason: string };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

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
      ? { ok: true, source: { kind: 'url', url: url.href, protocols: HTTP_PROTOCOLS } }
      : refused('plain http sources are disabled (TRANSCODE_ALLOW_LOOPBACK_HTTP)');
  }
  return refused(`the ${url.protocol.replace(/:$/, '')} scheme is not allowed; use an https URL`);
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
