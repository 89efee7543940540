/** Display helpers; dates and numbers follow the viewer's locale. */

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

export function formatSpeed(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0)
    return '—';
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Time left as words: "about 12 s", "about 3 min". */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

export function formatBitrate(bitsPerSecond: number | null | undefined): string {
  if (!bitsPerSecond) return '—';
  return bitsPerSecond >= 1_000_000
    ? `${(bitsPerSecond / 1_000_000).toFixed(1)} Mbit/s`
    : `${Math.round(bitsPerSecond / 1000)} kbit/s`;
}

export function formatResolution(width: number | null, height: number | null): string {
  if (!width || !height) return '—';
  return `${width}×${height} (${Math.min(width, height)}p)`;
}

/**
 * A rendition's measured quality, e.g. "720p · SSIM 0.994 · 44.6 dB". SSIM is cut
 * (not rounded) to three decimals, so a lossy encode never reads as a perfect 1.000.
 */
export function formatRenditionQuality(
  name: string,
  quality: { ssim: number; psnrDb: number },
): string {
  const ssim = (Math.floor(quality.ssim * 1000) / 1000).toFixed(3);
  return `${name} · SSIM ${ssim} · ${quality.psnrDb.toFixed(1)} dB`;
}

const TWIN_LABEL = { hevc: 'HEVC', av1: 'AV1', hdr: 'HDR' } as const;

/**
 * A twin's measured quality, named by its family: "720p AV1 · SSIM 0.990 · 42.1 dB".
 * The HDR twin is measured in its own PQ/HLG signal (10-bit), which the line says: its
 * figure does not compare with the SDR ones.
 */
export function formatTwinQuality(
  variant: string,
  quality: { ssim: number; psnrDb: number },
): string {
  const match = /^(.+)-(hevc|av1|hdr)$/.exec(variant);
  if (!match) return formatRenditionQuality(variant, quality);
  const [, rendition, twin] = match as unknown as [string, string, keyof typeof TWIN_LABEL];
  const line = formatRenditionQuality(`${rendition} ${TWIN_LABEL[twin]}`, quality);
  return twin === 'hdr' ? `${line} (PQ/HLG domain, not comparable with SDR)` : line;
}
