import type { QualityChoice, QualityLevel } from './quality-levels.ts';

/** One progressive MP4 rendition, for browsers without Media Source Extensions. */
export interface Mp4Source {
  rendition: string;
  url: string;
}

/** What the player plays and how it reaches it; the same for every engine. */
export interface PlaybackSource {
  /** The HLS master playlist (same origin, /api/stream/…). */
  masterUrl: string;
  /** The DASH MPD over the same segments (same origin, /api/stream/…/manifest.mpd). */
  dashUrl: string;
  /**
   * Sent with the master playlist or MPD request (private videos); variants carry their
   * own stream token and segment URLs are signed.
   */
  getAccessToken: () => Promise<string | undefined>;
  /** Progressive MP4s, for browsers without Media Source Extensions. */
  loadMp4Sources: () => Promise<Mp4Source[]>;
  /**
   * Resolves once the transcode is done. Absent: it is. Engines that can only play
   * finished outputs (MP4 files, the static DASH MPD) wait for it instead of failing;
   * hls.js, Shaka on HLS and native HLS play the growing EVENT playlists at once.
   */
  whenProcessed?: (() => Promise<void>) | undefined;
}

/** An alternate audio or subtitle rendition (EXT-X-MEDIA), as the menus name it. */
export interface MediaTrackLabel {
  name: string;
  lang?: string;
}

/** What an engine reports as it learns about the stream; the player's state follows it. */
export interface PlaybackReports {
  levels(levels: QualityLevel[]): void;
  playingLevel(index: number): void;
  audioTracks(tracks: MediaTrackLabel[], selected: number): void;
  audioTrack(index: number): void;
  subtitleTracks(tracks: MediaTrackLabel[], selected: number): void;
  subtitleTrack(index: number): void;
  /** A failure the viewer has to see: playback stopped for good. */
  error(message: string): void;
}

/** An engine attached to one <video>: what the controls can ask of it. */
export interface PlaybackSession {
  chooseLevel(choice: QualityChoice): void;
  /** Absent where the engine has no alternate audio renditions. */
  chooseAudio?: (index: number) => void;
  /** Absent where the engine has no subtitle renditions; -1 turns captions off. */
  chooseSubtitles?: (index: number) => void;
  /** Detaches from the <video> and stops every request. */
  destroy(): void;
}

/** What decides whether an engine can play here. */
export interface EngineContext {
  /** Native HLS (Safari without MSE) cannot send a token, so only public videos use it. */
  allowNativeHls: boolean;
}

/**
 * One way of playing the stream (hls.js, Shaka Player, the browser's own HLS, MP4 files). The player
 * takes the first engine of its list this browser supports and never talks to the
 * library behind it, so another engine is one more entry in the list.
 */
export interface PlaybackEngine {
  /** Shown as the player's data-mode (tests and support look at it). */
  mode: string;
  isSupported(context: EngineContext): boolean;
  attach(video: HTMLVideoElement, source: PlaybackSource, report: PlaybackReports): PlaybackSession;
}

/** The first engine this browser supports; the last one of the list is the fallback. */
export function choosePlaybackEngine(
  engines: readonly [PlaybackEngine, ...PlaybackEngine[]],
  context: EngineContext,
): PlaybackEngine {
  return engines.find((engine) => engine.isSupported(context)) ?? engines[engines.length - 1]!;
}

/**
 * Media element errors, for engines that leave decoding to the browser (hls.js reports
 * its own). Returns the removal, to call before the engine empties the element.
 */
export function reportMediaErrors(video: HTMLVideoElement, report: PlaybackReports): () => void {
  const onError = () => {
    const mediaError = video.error;
    if (mediaError)
      report.error(`Playback failed: ${mediaError.message || `media error ${mediaError.code}`}.`);
  };
  video.addEventListener('error', onError);
  return () => video.removeEventListener('error', onError);
}

/** Stops the browser loading the element's current source. */
export function emptyMediaElement(video: HTMLVideoElement): void {
  video.removeAttribute('src');
  video.load();
}
