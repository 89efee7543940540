import type { MediaTrackLabel, PlaybackEngine, PlaybackReports } from './playback-engine.ts';
import type { QualityLevel } from './quality-levels.ts';
import { isShakaError, isShakaFailure, shakaErrorMessage } from './shaka-errors.ts';

type Shaka = (typeof import('shaka-player/dist/shaka-player.compiled-es2021.js'))['default'];
type ShakaPlayer = InstanceType<Shaka['Player']>;

/**
 * Shaka's compiled, UI-less build (DASH and HLS) for ES2021 browsers: every browser with
 * MSE the app targets, and about 15% smaller than the ES5 one. Loaded on first use, so
 * viewers who keep hls.js never download it.
 */
let shakaLoad: Promise<Shaka> | undefined;
function loadShaka(): Promise<Shaka> {
  shakaLoad ??= import('shaka-player/dist/shaka-player.compiled-es2021.js').then((module) => {
    // A CommonJS package: the import's default is module.exports, the namespace itself
    // (its .d.ts, read as CommonJS, puts it one .default further down).
    const shaka = module.default as unknown as Shaka;
    shaka.polyfill.installAll();
    return shaka;
  });
  return shakaLoad;
}

/** Codec families by preference; Shaka matches a variant whose codecs string starts with one. */
const PREFERRED_VIDEO_CODECS = ['av01', 'hvc1', 'avc1'] as const;

/** Shaka plays wherever Media Source Extensions do (ManagedMediaSource on iOS Safari). */
function hasMediaSource(): boolean {
  return (
    typeof window !== 'undefined' && ('MediaSource' in window || 'ManagedMediaSource' in window)
  );
}

const label = (name: string | null, language: string): MediaTrackLabel => ({
  name: name || language,
  ...(language && language !== 'und' ? { lang: language } : {}),
});

/** Reports a value only when it differs from the last one reported (Shaka fires often). */
function reportChanges(report: PlaybackReports) {
  const last = new Map<string, string>();
  const changed = (key: string, value: unknown) => {
    const json = JSON.stringify(value);
    if (last.get(key) === json) return false;
    last.set(key, json);
    return true;
  };
  return (player: ShakaPlayer) => {
    const video = player.getVideoTracks();
    const levels = video.map((track, index): QualityLevel => ({
      index,
      width: track.width ?? 0,
      height: track.height ?? 0,
      bitrate: track.bandwidth,
      family: track.codecs?.split('.')[0],
    }));
    if (changed('levels', levels)) report.levels(levels);
    const playing = video.findIndex((track) => track.active);
    if (playing >= 0 && changed('playing', playing)) report.playingLevel(playing);

    const audio = player.getAudioTracks();
    const audioLabels = audio.map((track) => label(track.label, track.language));
    const audioActive = audio.findIndex((track) => track.active);
    const audioActiveChanged = changed('audioActive', audioActive);
    if (changed('audio', audioLabels)) report.audioTracks(audioLabels, audioActive);
    else if (audioActiveChanged) report.audioTrack(audioActive);

    const text = player.getTextTracks();
    const textLabels = text.map((track) => label(track.label, track.language));
    const textActive = text.findIndex((track) => track.active);
    const textActiveChanged = changed('textActive', textActive);
    if (changed('text', textLabels)) report.subtitleTracks(textLabels, textActive);
    else if (textActiveChanged) report.subtitleTrack(textActive);
  };
}

/**
 * Shaka Player over Media Source Extensions, on the DASH MPD (or the HLS master): ABR
 * with a manual quality choice, audio and subtitle tracks.
 */
export function createShakaEngine(manifest: 'dash' | 'hls'): PlaybackEngine {
  return {
    mode: manifest === 'dash' ? 'shaka' : 'shaka-hls',
    isSupported: hasMediaSource,
    attach(video, { dashUrl, masterUrl, getAccessToken, whenProcessed }, report) {
      const manifestUrl = new URL(manifest === 'dash' ? dashUrl : masterUrl, window.location.href)
        .href;
      let destroyed = false;
      let player: ShakaPlayer | undefined;
      const update = reportChanges(report);
      const refresh = () => {
        if (player && !destroyed) update(player);
      };
      const fail = (error: unknown) => {
        if (destroyed) return;
        if (!isShakaError(error)) {
          report.error('The player could not be started. Reload the page.');
          return;
        }
        if (isShakaFailure(error)) report.error(shakaErrorMessage(error));
      };

      const start = async () => {
        const shaka = await loadShaka();
        if (destroyed) return;
        if (!shaka.Player.isBrowserSupported()) {
          report.error('This browser cannot run Shaka Player. Choose hls.js in the Player menu.');
          return;
        }
        player = new shaka.Player();
        // The source's default track first, as hls.js plays DEFAULT=YES: the MPD gives it
        // Role "main" and every other track "alternate" (Shaka would take the first).
        player.configure({
          // Of the families this browser decodes (Shaka drops the rest from the MPD first),
          // the one that needs fewest bits: AV1, then HEVC, then H.264, as hls.js picks.
          preferredVideo: PREFERRED_VIDEO_CODECS.map((codec) => ({
            codec,
            hdrLevel: 'AUTO',
            label: '',
            language: '',
            layout: '',
            role: '',
          })),
          preferredAudio: [
            {
              language: '',
              role: 'main',
              label: '',
              channelCount: 0,
              codec: '',
              spatialAudio: false,
            },
          ],
        });
        // Only the manifest request needs the session: an HLS master's variant playlists
        // carry a stream token, and every segment and subtitle URL is presigned.
        player.getNetworkingEngine()?.registerRequestFilter(async (type, request) => {
          if (type !== shaka.net.NetworkingEngine.RequestType.MANIFEST) return;
          if (request.uris[0] !== manifestUrl) return;
          const token = await getAccessToken();
          if (token) request.headers['Authorization'] = `Bearer ${token}`;
        });
        player.addEventListener('error', (event) => {
          fail((event as Event & { detail?: unknown }).detail);
        });
        for (const name of [
          'trackschanged',
          'variantchanged',
          'adaptation',
          'audiotrackschanged',
          'textchanged',
        ])
          player.addEventListener(name, refresh);
        // Attaching resets the element, which drops a play() asked for while Shaka was
        // still being fetched; it is asked again once the stream is loaded.
        const playRequested = !video.paused;
        await player.attach(video);
        if (destroyed) return;
        // The MPD is static: it lists a rendition once finished, so DASH waits for the end.
        if (manifest === 'dash' && whenProcessed) await whenProcessed();
        if (destroyed) return;
        await player.load(manifestUrl);
        refresh();
        if (playRequested && video.paused) void video.play().catch(() => undefined);
      };
      start().catch(fail);

      return {
        chooseLevel: (choice) => {
          if (!player) return;
          if (choice.kind === 'auto') {
            player.configure({ abr: { enabled: true } });
            return;
          }
          const track = player.getVideoTracks()[choice.index];
          if (!track) return;
          // ABR would switch straight back; the buffer ahead is dropped so the choice shows now.
          player.configure({ abr: { enabled: false } });
          player.selectVideoTrack(track, true);
          refresh();
        },
        chooseAudio: (index) => {
          const track = player?.getAudioTracks()[index];
          if (!track) return;
          player!.selectAudioTrack(track);
          refresh();
        },
        chooseSubtitles: (index) => {
          if (!player) return;
          player.selectTextTrack(index < 0 ? null : (player.getTextTracks()[index] ?? null));
          refresh();
        },
        destroy: () => {
          destroyed = true;
          // Shaka detaches, aborts its requests and empties the element itself.
          void player?.destroy().catch(() => undefined);
        },
      };
    },
  };
}

/** The engine the Shaka setting plays with: the MPD, over the same segments as HLS. */
export const shakaEngine = createShakaEngine('dash');
