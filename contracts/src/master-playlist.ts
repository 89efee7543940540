import type { RenditionManifest } from './renditions.ts';

/** The variant Apple's authoring guide suggests playback starts on: about 2 Mb/s. */
const PREFERRED_START_BANDWIDTH = 2_000_000;

/**
 * The HLS multivariant (master) playlist over rendition manifests: written by the
 * transcoder's finalize step, and served by the API over the renditions finished so
 * far while a job still runs. The first variant is where Safari starts, so it is the
 * one closest to 2 Mb/s; the rest follow highest first.
 */
export function renderMasterPlaylist(renditions: readonly RenditionManifest[]): string {
  if (renditions.length === 0) throw new Error('a master playlist needs at least one rendition');
  const byBandwidth = [...renditions].sort(
    (a, b) => b.bandwidth - a.bandwidth || b.height - a.height,
  );
  // Start on an SDR (H.264) variant: every player can show it; HDR players then switch.
  const sdr = byBandwidth.filter((r) => (r.videoRange ?? 'SDR') === 'SDR');
  const start = (sdr.length > 0 ? sdr : byBandwidth).reduce((best, candidate) =>
    Math.abs(candidate.averageBandwidth - PREFERRED_START_BANDWIDTH) <
    Math.abs(best.averageBandwidth - PREFERRED_START_BANDWIDTH)
      ? candidate
      : best,
  );
  const ordered = [start, ...byBandwidth.filter((r) => r !== start)];
  const variants = ordered.map((r) =>
    [
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},AVERAGE-BANDWIDTH=${r.averageBandwidth},` +
        `RESOLUTION=${r.width}x${r.height},CODECS="${r.codecs}",` +
        `FRAME-RATE=${(r.frameRate.num / r.frameRate.den).toFixed(3)},` +
        // Players that can show HDR choose by it; SDR variants say so explicitly.
        `VIDEO-RANGE=${r.videoRange ?? 'SDR'}`,
      `${r.name}/${r.playlist}`,
    ].join('\n'),
  );
  return ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS', ...variants, ''].join('\n');
}
