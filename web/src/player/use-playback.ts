import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { hlsJsEngine } from './hls-engine.ts';
import { mp4Engine } from './mp4-engine.ts';
import { nativeHlsEngine } from './native-hls-engine.ts';
import type { PlayerPreference } from './player-preference.ts';
import { shakaEngine } from './shaka-engine.ts';
import {
  choosePlaybackEngine,
  type MediaTrackLabel,
  type PlaybackEngine,
  type PlaybackSession,
  type PlaybackSource,
} from './playback-engine.ts';
import type { QualityChoice, QualityLevel } from './quality-levels.ts';

/** hls.js where Media Source Extensions exist, else the browser's own HLS, else MP4 files. */
export const defaultEngines = [hlsJsEngine, nativeHlsEngine, mp4Engine] as const;

/**
 * The engines for the viewer's player choice: Shaka (on the MPD) in hls.js's place when
 * chosen; without Media Source Extensions neither runs, so both fall back alike.
 */
export function enginesFor(
  preference: PlayerPreference,
): readonly [PlaybackEngine, ...PlaybackEngine[]] {
  switch (preference) {
    case 'hls.js':
      return defaultEngines;
    case 'shaka':
      return [shakaEngine, nativeHlsEngine, mp4Engine];
  }
}

export interface UsePlaybackOptions extends PlaybackSource {
  videoRef: RefObject<HTMLVideoElement | null>;
  allowNativeHls: boolean;
  /** In order of preference; the last is the fallback. */
  engines?: readonly [PlaybackEngine, ...PlaybackEngine[]];
}

export interface Playback {
  /** The engine's mode ("hls", "shaka", "native", "mp4"). */
  mode: string;
  levels: QualityLevel[];
  /** The level the engine plays now (ABR's pick under Auto). */
  playingIndex: number | undefined;
  choice: QualityChoice;
  choose: (choice: QualityChoice) => void;
  audioTracks: MediaTrackLabel[];
  audioTrack: number;
  chooseAudio: (index: number) => void;
  subtitleTracks: MediaTrackLabel[];
  /** -1 when captions are off. */
  subtitleTrack: number;
  chooseSubtitles: (index: number) => void;
  /** Why playback stopped, for the viewer. */
  error: string | undefined;
}

/**
 * Attaches the first engine this browser supports to the <video> and keeps what it
 * reports (levels, tracks, errors) as state for the controls.
 */
export function usePlayback(options: UsePlaybackOptions): Playback {
  const { videoRef, masterUrl, dashUrl, getAccessToken, loadMp4Sources, allowNativeHls } = options;
  const { whenProcessed } = options;
  // Chosen once per mount (the page remounts the player when the stream changes).
  const [engine] = useState(() =>
    choosePlaybackEngine(options.engines ?? defaultEngines, { allowNativeHls }),
  );
  const sessionRef = useRef<PlaybackSession | undefined>(undefined);
  const [levels, setLevels] = useState<QualityLevel[]>([]);
  const [choice, setChoice] = useState<QualityChoice>({ kind: 'auto' });
  const [playingIndex, setPlayingIndex] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [audioTracks, setAudioTracks] = useState<MediaTrackLabel[]>([]);
  const [audioTrack, setAudioTrack] = useState(-1);
  const [subtitleTracks, setSubtitleTracks] = useState<MediaTrackLabel[]>([]);
  const [subtitleTrack, setSubtitleTrack] = useState(-1);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const session = engine.attach(
      video,
      { masterUrl, dashUrl, getAccessToken, loadMp4Sources, whenProcessed },
      {
        levels: setLevels,
        playingLevel: setPlayingIndex,
        audioTracks: (tracks, selected) => {
          setAudioTracks(tracks);
          setAudioTrack(selected);
        },
        audioTrack: setAudioTrack,
        subtitleTracks: (tracks, selected) => {
          setSubtitleTracks(tracks);
          setSubtitleTrack(selected);
        },
        subtitleTrack: setSubtitleTrack,
        error: setError,
      },
    );
    sessionRef.current = session;
    return () => {
      session.destroy();
      sessionRef.current = undefined;
    };
  }, [engine, videoRef, masterUrl, dashUrl, getAccessToken, loadMp4Sources, whenProcessed]);

  const choose = useCallback((next: QualityChoice) => {
    setChoice(next);
    sessionRef.current?.chooseLevel(next);
  }, []);
  const chooseAudio = useCallback((index: number) => {
    const session = sessionRef.current;
    if (!session?.chooseAudio) return;
    session.chooseAudio(index);
    setAudioTrack(index);
  }, []);
  const chooseSubtitles = useCallback((index: number) => {
    const session = sessionRef.current;
    if (!session?.chooseSubtitles) return;
    session.chooseSubtitles(index);
    setSubtitleTrack(index);
  }, []);

  return {
    mode: engine.mode,
    levels,
    playingIndex,
    choice,
    choose,
    audioTracks,
    audioTrack,
    chooseAudio,
    subtitleTracks,
    subtitleTrack,
    chooseSubtitles,
    error,
  };
}
