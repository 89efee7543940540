// Imports nothing at all: deploy/docker/web-server.mts (a dependency-free server) runs
// this file as it is, beside the all-in-one's web-app routes.

export interface WebSecurityOptions {
  /**
   * Origins the app fetches media and uploads from besides its own: the S3 endpoint
   * that presigned segment, poster and upload URLs point at. Local storage is same-origin.
   */
  storageOrigins?: readonly string[];
  /** The page was served over HTTPS (directly or behind a TLS-terminating proxy). */
  https?: boolean;
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^https:\/\/\*\.[A-Za-z0-9.-]+$/;

/** Drops anything that is not a plain origin, so a setting can never inject a directive. */
export function cspOrigins(values: readonly string[]): string[] {
  return values.map((v) => v.trim().replace(/\/+$/, '')).filter((v) => ORIGIN.test(v));
}

/**
 * The web app's Content-Security-Policy, suited to hls.js: media and its worker come
 * from blob: URLs (MediaSource), segments and playlists are fetched from the API and the
 * storage origin, posters and sprites are images from either. No inline script, no
 * framing (clickjacking), no plugins.
 */
export function webContentSecurityPolicy({ storageOrigins = [] }: WebSecurityOptions = {}): string {
  const storage = cspOrigins(storageOrigins).join(' ');
  const withStorage = (...sources: string[]) => [...sources, storage].filter(Boolean).join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${withStorage("'self'", 'data:', 'blob:')}`,
    `media-src ${withStorage("'self'", 'blob:')}`,
    `connect-src ${withStorage("'self'")}`,
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header a page of the web app carries. HSTS only over HTTPS (browsers ignore it otherwise). */
export function webSecurityHeaders(options: WebSecurityOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': webContentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(options.https
      ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' }
      : {}),
  };
}
