import { renditionsForSource } from '@videoforge/contracts';
import { validateStorageKey } from '@videoforge/platform/storage';

/**
 * Upload names become the last segment of a storage key and, later, a download name:
 * keep only the base name, in a conservative character set, never empty or dot-led.
 */
export function sanitiseFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-100);
  return cleaned.length > 0 ? cleaned : 'video';
}

export function rawKey(userId: string, uploadId: string, filename: string): string {
  return validateStorageKey(`videos/raw/${userId}/${uploadId}/${sanitiseFilename(filename)}`);
}

/**
 * Where a single-PUT upload's bytes are kept once it completes: a sibling of the key
 * its presigned PUT was issued for, and no URL is ever issued for it, so a still-valid
 * PUT URL cannot swap the source after the probe (issue 15 item 4). A multipart
 * upload needs no copy: completing it ends its upload id, and every part URL with it.
 */
export function pinnedKey(signedKey: string): string {
  const slash = signedKey.lastIndexOf('/');
  return validateStorageKey(`${signedKey.slice(0, slash)}/pinned_${signedKey.slice(slash + 1)}`);
}

/** The exact length of part `partNumber` (1-based) of a `size`-byte upload cut in `partSize` parts. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.max(0, Math.min(partSize, size - (partNumber - 1) * partSize));
}

/** S3 allows at most 10 000 parts of at least 5 MiB (the last may be smaller). */
export function partPlan(
  size: number,
  preferredPartBytes: number,
): { partSize: number; partCount: number } {
  const partSize = Math.max(preferredPartBytes, Math.ceil(size / 10_000), 5 * 1024 * 1024);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/**
 * The default ladder up to the source's short side (never upscaled); a source below the
 * lowest rendition gets its one own-size rendition (320×240 → 240p), the name the
 * transcoder gives it.
 */
export function defaultFormats(width: number, height: number): string[] {
  return renditionsForSource(width, height);
}
