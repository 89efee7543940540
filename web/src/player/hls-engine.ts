import Hls, { PlaylistLevelType, type ErrorData } from 'hls.js';
import type { MediaTrackLabel, PlaybackEngine } from './playback-engine.ts';
import { hlsLevelOf } from './quality-levels.ts';
import { PLAYBACK_MESSAGES } from './error-messages.ts';
import { trackMissingSegments } from './missing-segments.ts';

const trackLabels = (tracks: readonly { name: string; lang?: string | undefined }[]) =>
  tracks.map((t): MediaTrackLabel => ({ name: t.name, ...(t.lang ? { lang: t.lang } : {}) }));

/** Segment loads (media and init segments): a 404 there is storage missing a file, not a job still running. */
const SEGMENT_LOAD_ERRORS: ReadonlySet<string> = new Set([
  Hls.ErrorDetails.FRAG_LOAD_ERROR,
  Hls.ErrorDetails.FRAG_LOAD_TIMEOUT,
]);

/** What the viewer reads when hls.js gives up (after one media recovery and one reload). */
export function hlsErrorMessage(data: Pick<ErrorData, 'type' | 'details' | 'response'>): string {
  const status = data.response?.code;
  if (status === 404 && SEGMENT_LOAD_ERRORS.has(data.details))
    return PLAYBACK_MESSAGES.missingSegment;
  if (status === 404) return PLAYBACK_MESSAGES.noRenditions;
  if (status === 401 || status === 403) return PLAYBACK_MESSAGES.notAllowed;
  if (data.details === Hls.ErrorDetails.MANIFEST_PARSING_ERROR)
    return `The stream's playlist could not be read (${data.details}).`;
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) return PLAYBACK_MESSAGES.connection;
  return `Playback failed (${data.details}).`;
}

/** hls.js over Media Source Extensions: automatic bit-rate switching, audio and subtitle renditions. */
export const hlsJsEngine: PlaybackEngine = {
  mode: 'hls',
  isSupported: () => Hls.isSupported(),
  attach(video, { masterUrl, getAccessToken }, report) {
    const masterPath = new URL(masterUrl, window.location.href).href;
    const hls = new Hls({
      capLevelToPlayerSize: false,
      // A video still transcoding is an EVENT playlist, which hls.js treats as live and
      // would join at its end: a viewer starts at the beginning, as for a finished one.
      startPosition: 0,
      // Only the master playlist request needs the session; variants carry a stream
      // token and segments are presigned storage URLs (no extra headers there).
      xhrSetup: async (xhr, url) => {
        if (url !== masterPath) return;
        const token = await getAccessToken();
        xhr.open('GET', url, true);
        if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      },
    });
    let recoveredMedia = false;
    let retriedNetwork = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      report.levels(
        hls.levels.map((level, index) => ({
          index,
          width: level.width,
          height: level.height,
          bitrate: level.bitrate,
          family: level.videoCodec?.split('.')[0],
        })),
      );
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => report.playingLevel(data.level));
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, (_event, data) =>
      report.audioTracks(trackLabels(data.audioTracks), hls.audioTrack),
    );
    hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_event, data) => report.audioTrack(data.id));
    hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_event, data) =>
      report.subtitleTracks(trackLabels(data.subtitleTracks), hls.subtitleTrack),
    );
    hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, (_event, data) => report.subtitleTrack(data.id));
    const missing = trackMissingSegments(() => hls.levels.length);
    let failed = false;
    hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
      if (failed) return;
      if (!data.fatal) {
        const { frag } = data;
        if (
          data.details === Hls.ErrorDetails.FRAG_LOAD_ERROR &&
          data.response?.code === 404 &&
          frag?.type === PlaylistLevelType.MAIN &&
          missing.missedEverywhere(frag.sn, frag.level)
        ) {
          failed = true;
          hls.stopLoad();
          report.error(hlsErrorMessage(data));
        }
        return;
      }
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
        recoveredMedia = true;
        hls.recoverMediaError();
        return;
      }
      // startLoad resumes segment loading; a master playlist that never arrived or never
      // parsed (hls.js has retried it already) has nothing to resume.
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && !retriedNetwork && hls.levels.length > 0) {
        retriedNetwork = true;
        hls.startLoad();
        return;
      }
      failed = true;
      report.error(hlsErrorMessage(data));
    });
    hls.attachMedia(video);
    hls.loadSource(masterUrl);
    return {
      chooseLevel: (choice) => {
        hls.currentLevel = hlsLevelOf(choice);
      },
      chooseAudio: (index) => {
        hls.audioTrack = index;
      },
      chooseSubtitles: (index) => {
        hls.subtitleDisplay = index >= 0;
        hls.subtitleTrack = index;
      },
      destroy: () => hls.destroy(),
    };
  },
};
