import {
  emptyMediaElement,
  reportMediaErrors,
  type Mp4Source,
  type PlaybackEngine,
} from './playback-engine.ts';
import type { QualityLevel } from './quality-levels.ts';

/** A rendition named "720p" is a 720-line level; the files carry no bit rate. */
export function mp4Level(source: Mp4Source, index: number): QualityLevel {
  const height = Number(/^(\d+)p$/.exec(source.rendition)?.[1] ?? 0);
  return { index, width: 0, height, bitrate: 0 };
}

/** Highest MP4 up to 1080p: what "Auto" plays without ABR. */
export function mp4AutoIndex(levels: readonly QualityLevel[]): number {
  const fitting = levels.filter((level) => level.height <= 1080);
  const pool = fitting.length > 0 ? fitting : levels;
  return pool.reduce((best, level) => (level.height > best.height ? level : best), pool[0]!).index;
}

/**
 * Progressive MP4 files, where neither MSE nor native HLS is there: one file per
 * rendition, and a quality change swaps the file at the same position.
 */
export const mp4Engine: PlaybackEngine = {
  mode: 'mp4',
  isSupported: () => true,
  attach(video, { loadMp4Sources, whenProcessed }, report) {
    let cancelled = false;
    let sources: Mp4Source[] = [];
    let levels: QualityLevel[] = [];
    let playingIndex: number | undefined;
    const stopReporting = reportMediaErrors(video, report);
    // MP4 files are written as renditions finish: while none is there and the transcode
    // runs, wait for its end rather than fail.
    loadMp4Sources()
      .then(async (first) => {
        if (first.length > 0 || !whenProcessed || cancelled) return first;
        await whenProcessed();
        return cancelled ? [] : loadMp4Sources();
      })
      .then((loaded) => {
        if (cancelled) return;
        sources = loaded;
        levels = loaded.map(mp4Level);
        if (levels.length === 0) {
          report.error('This browser cannot play adaptive streams and no MP4 is available yet.');
          return;
        }
        report.levels(levels);
        playingIndex = mp4AutoIndex(levels);
        report.playingLevel(playingIndex);
        video.src = sources[playingIndex]!.url;
      })
      .catch(() => {
        if (!cancelled) report.error('The video files could not be loaded.');
      });
    return {
      chooseLevel: (choice) => {
        if (levels.length === 0) return;
        const index = choice.kind === 'auto' ? mp4AutoIndex(levels) : choice.index;
        const source = sources[index];
        if (!source || index === playingIndex) return;
        const at = video.currentTime;
        const resume = !video.paused;
        video.src = source.url;
        video.currentTime = at;
        playingIndex = index;
        report.playingLevel(index);
        if (resume) void video.play().catch(() => undefined);
      },
      destroy: () => {
        cancelled = true;
        stopReporting();
        emptyMediaElement(video);
      },
    };
  },
};
