import type { RenditionManifest } from '@videoforge/contracts';

/**
 * A master playlist over the renditions finished so far, so a video plays as soon as
 * its first rendition is done, before the job's finalize step writes the real one.
 * Highest bandwidth first (hls.js starts from its own estimate either way).
 */
export function renderPartialMaster(renditions: readonly RenditionManifest[]): string {
  const ordered = [...renditions].sort((a, b) => b.bandwidth - a.bandwidth || b.height - a.height);
  const variants = ordered.map((r) => {
    const rate = r.frameRate.num / r.frameRate.den;
    return [
      `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},AVERAGE-BANDWIDTH=${r.averageBandwidth},` +
        `RESOLUTION=${r.width}x${r.height},CODECS="${r.codecs}",FRAME-RATE=${rate.toFixed(3)}`,
      `${r.name}/${r.playlist}`,
    ].join('\n');
  });
  return ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS', ...variants, ''].join('\n');
}
