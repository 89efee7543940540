/**
 * The sentences both players show over the video when playback stops for good, so hls.js
 * and Shaka say the same thing for the same failure.
 */
export const PLAYBACK_MESSAGES = {
  /** The master playlist or MPD answered 404: the job has not published it (yet). */
  noRenditions: 'This video has no playable renditions yet.',
  /**
   * A media or init segment answered 404 although the manifest lists it: storage lost a
   * file after the job finished, so waiting will not help.
   */
  missingSegment:
    'Part of this video is missing from storage (a segment answered 404). Reload the page; if it stays, the owner can transcode it again.',
  notAllowed: 'You are not allowed to watch this video. Sign in and reload the page.',
  connection: 'The stream could not be loaded. Check your connection and reload the page.',
  unsupported: 'This browser cannot play any of the formats of this video.',
} as const;
