import { emptyMediaElement, reportMediaErrors, type PlaybackEngine } from './playback-engine.ts';

/**
 * The browser's own HLS (Safari without MSE): it picks the variant itself, so there is
 * no quality menu, and it cannot send a token, so only public videos use it.
 */
export const nativeHlsEngine: PlaybackEngine = {
  mode: 'native',
  isSupported: ({ allowNativeHls }) =>
    allowNativeHls &&
    document.createElement('video').canPlayType('application/vnd.apple.mpegurl') !== '',
  attach(video, { masterUrl }, report) {
    const stopReporting = reportMediaErrors(video, report);
    video.src = masterUrl;
    return {
      chooseLevel: () => undefined,
      destroy: () => {
        stopReporting();
        emptyMediaElement(video);
      },
    };
  },
};
