/**
 * Shaka Player's errors (shaka.util.Error) as what the viewer reads. Pure and free of the
 * library at run time, so the main bundle never carries Shaka; the numbers are Shaka's
 * own (`shaka.util.Error.Severity`, `.Category`, `.Code`) and shaka-errors.test.ts
 * checks them against the library.
 */
import { PLAYBACK_MESSAGES } from './error-messages.ts';

export const ShakaSeverity = { RECOVERABLE: 1, CRITICAL: 2 } as const;

export const ShakaCategory = {
  NETWORK: 1,
  TEXT: 2,
  MEDIA: 3,
  MANIFEST: 4,
  STREAMING: 5,
  DRM: 6,
  PLAYER: 7,
  CAST: 8,
  STORAGE: 9,
  ADS: 10,
} as const;

export const ShakaCode = {
  BAD_HTTP_STATUS: 1001,
  HTTP_ERROR: 1002,
  TIMEOUT: 1003,
  RESTRICTIONS_CANNOT_BE_MET: 4012,
  CONTENT_UNSUPPORTED_BY_BROWSER: 4032,
  LOAD_INTERRUPTED: 7000,
  OPERATION_ABORTED: 7001,
} as const;

/** `shaka.net.NetworkingEngine.RequestType`: what a BAD_HTTP_STATUS request was for. */
export const ShakaRequestType = { MANIFEST: 0, SEGMENT: 1 } as const;

/** The fields of a shaka.util.Error the mapping reads. */
export interface ShakaErrorLike {
  severity: number;
  category: number;
  code: number;
  /** BAD_HTTP_STATUS: [uri, status, responseText, headers, requestType, responseURI]. */
  data?: readonly unknown[];
}

export function isShakaError(value: unknown): value is ShakaErrorLike {
  if (typeof value !== 'object' || value === null) return false;
  const { severity, category, code } = value as Record<string, unknown>;
  return typeof severity === 'number' && typeof category === 'number' && typeof code === 'number';
}

/**
 * Whether the viewer has to hear of it: Shaka retries recoverable errors itself, and a
 * load cut short by a newer load or by teardown is not a failure.
 */
export function isShakaFailure(error: ShakaErrorLike): boolean {
  if (error.code === ShakaCode.LOAD_INTERRUPTED || error.code === ShakaCode.OPERATION_ABORTED)
    return false;
  return error.severity === ShakaSeverity.CRITICAL;
}

const CATEGORY_NAMES: Record<number, string> = {
  [ShakaCategory.TEXT]: 'captions',
  [ShakaCategory.MEDIA]: 'media',
  [ShakaCategory.MANIFEST]: 'manifest',
  [ShakaCategory.STREAMING]: 'streaming',
  [ShakaCategory.DRM]: 'DRM',
  [ShakaCategory.PLAYER]: 'player',
};

/** What the viewer reads when Shaka gives up; the same words as hls.js's where they mean the same. */
export function shakaErrorMessage(error: ShakaErrorLike): string {
  if (error.code === ShakaCode.BAD_HTTP_STATUS) {
    const [, status, , , requestType] = error.data ?? [];
    if (status === 404 && requestType === ShakaRequestType.SEGMENT)
      return PLAYBACK_MESSAGES.missingSegment;
    if (status === 404) return PLAYBACK_MESSAGES.noRenditions;
    if (status === 401 || status === 403) return PLAYBACK_MESSAGES.notAllowed;
  }
  if (error.category === ShakaCategory.NETWORK) return PLAYBACK_MESSAGES.connection;
  if (
    error.code === ShakaCode.CONTENT_UNSUPPORTED_BY_BROWSER ||
    error.code === ShakaCode.RESTRICTIONS_CANNOT_BE_MET
  )
    return PLAYBACK_MESSAGES.unsupported;
  if (error.category === ShakaCategory.MANIFEST)
    return `The stream's manifest could not be read (Shaka error ${error.code}).`;
  const kind = CATEGORY_NAMES[error.category];
  return `Playback failed (Shaka ${kind ? `${kind} ` : ''}error ${error.code}).`;
}
