import { useCallback, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatDuration } from '../lib/format.ts';
import { Icon } from './icons.tsx';
import { playerActionFor, type PlayerAction } from './keyboard.ts';
import type { PlaybackSource } from './playback-engine.ts';
import {
  PLAYER_NAMES,
  PLAYER_PREFERENCES,
  usePlayerPreference,
  type PlayerPreference,
} from './player-preference.ts';
import type { QualityChoice } from './quality-levels.ts';
import { QualityMenu } from './quality-menu.tsx';
import { TrackMenu, trackOptions } from './track-menu.tsx';
import { cueAt, type ThumbnailCue } from './thumbnails-vtt.ts';
import { enginesFor, usePlayback } from './use-playback.ts';

export interface VideoPlayerProps extends PlaybackSource {
  title: string;
  posterUrl: string | undefined;
  thumbnails: readonly ThumbnailCue[];
  /** Native HLS (Safari without MSE) cannot send a token, so only public videos use it. */
  allowNativeHls: boolean;
  /** The transcode still runs: the player says so, and the stream grows while it plays. */
  processing?: boolean;
}

/**
 * The player, on the library the viewer chose (the Player menu): a new choice starts a
 * fresh player, since an engine is picked once per mount.
 */
export function VideoPlayer(props: VideoPlayerProps) {
  const [preference, setPreference] = usePlayerPreference();
  return (
    <PlayerControls
      key={preference}
      {...props}
      preference={preference}
      onPreferenceChange={setPreference}
    />
  );
}

interface PlayerControlsProps extends VideoPlayerProps {
  preference: PlayerPreference;
  onPreferenceChange: (preference: PlayerPreference) => void;
}

/**
 * The player's controls: play, seek with previews from the WebVTT sprite track, volume,
 * the quality, audio, caption and player menus, full screen and keyboard control.
 * Playback itself (hls.js, Shaka, native HLS or MP4 files) is usePlayback's.
 */
function PlayerControls(props: PlayerControlsProps) {
  const { masterUrl, dashUrl, getAccessToken, loadMp4Sources, allowNativeHls, whenProcessed } =
    props;
  const containerRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const playback = usePlayback({
    videoRef,
    masterUrl,
    dashUrl,
    getAccessToken,
    loadMp4Sources,
    whenProcessed,
    allowNativeHls,
    engines: enginesFor(props.preference),
  });
  const { mode, levels, playingIndex, error } = playback;
  const playingLevel = levels.find((level) => level.index === playingIndex);
  const { audioTracks, audioTrack, subtitleTracks, subtitleTrack } = playback;
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [buffered, setBuffered] = useState(0);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [preview, setPreview] = useState<{ time: number; left: number } | undefined>();
  const [announcement, setAnnouncement] = useState('');

  const choose = (next: QualityChoice) => {
    playback.choose(next);
    const label = next.kind === 'auto' ? 'automatic' : `${levels[next.index]?.height ?? ''}p`;
    setAnnouncement(`Quality set to ${label}`);
  };
  const chooseAudio = (index: number) => {
    playback.chooseAudio(index);
    setAnnouncement(`Audio: ${audioTracks[index]?.name ?? ''}`);
  };
  const chooseSubtitles = (index: number) => {
    playback.chooseSubtitles(index);
    setAnnouncement(index < 0 ? 'Captions off' : `Captions: ${subtitleTracks[index]?.name ?? ''}`);
  };

  const act = useCallback((action: PlayerAction) => {
    const video = videoRef.current;
    if (!video) return;
    const end = Number.isFinite(video.duration) ? video.duration : 0;
    switch (action.type) {
      case 'toggle-play':
        if (video.paused) void video.play().catch(() => undefined);
        else video.pause();
        break;
      case 'seek-by':
        video.currentTime = Math.min(Math.max(video.currentTime + action.seconds, 0), end);
        break;
      case 'seek-to-fraction':
        video.currentTime = end * action.fraction;
        break;
      case 'seek-to-start':
        video.currentTime = 0;
        break;
      case 'seek-to-end':
        video.currentTime = end;
        break;
      case 'volume-by':
        video.volume = Math.min(Math.max(video.volume + action.delta, 0), 1);
        video.muted = false;
        break;
      case 'toggle-mute':
        video.muted = !video.muted;
        break;
      case 'toggle-fullscreen':
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
        else void containerRef.current?.requestFullscreen().catch(() => undefined);
        break;
    }
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    // Sliders and menus keep their own arrow keys; buttons keep Space and Enter.
    if (target.closest('[role="menu"]') || target instanceof HTMLInputElement) return;
    if (target instanceof HTMLButtonElement && (event.key === ' ' || event.key === 'Enter')) return;
    const action = playerActionFor(event);
    if (!action) return;
    event.preventDefault();
    act(action);
  };

  const previewAt = (event: PointerEvent<HTMLInputElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    if (rect.width === 0 || duration === 0) return;
    const fraction = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
    setPreview({ time: fraction * duration, left: fraction * 100 });
  };
  const previewCue = preview ? cueAt(props.thumbnails, preview.time) : undefined;

  return (
    <div
      ref={containerRef}
      className="group relative overflow-hidden rounded-lg bg-black"
      role="region"
      aria-label={`Video player: ${props.title}`}
      aria-keyshortcuts="Space K J L ArrowLeft ArrowRight ArrowUp ArrowDown M F"
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="player"
      data-mode={mode}
      data-playing-height={playingLevel?.height}
      data-playing-family={playingLevel?.family}
      data-audio-track={audioTracks[audioTrack]?.name}
      data-subtitle-track={subtitleTrack >= 0 ? subtitleTracks[subtitleTrack]?.name : 'off'}
    >
      <video
        ref={videoRef}
        className="aspect-video w-full bg-black"
        poster={props.posterUrl}
        playsInline
        preload="metadata"
        data-testid="video"
        onClick={() => act({ type: 'toggle-play' })}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onTimeUpdate={(event) => setTime(event.currentTarget.currentTime)}
        onDurationChange={(event) =>
          setDuration(
            Number.isFinite(event.currentTarget.duration) ? event.currentTarget.duration : 0,
          )
        }
        onProgress={(event) => {
          const ranges = event.currentTarget.buffered;
          setBuffered(ranges.length > 0 ? ranges.end(ranges.length - 1) : 0);
        }}
        onVolumeChange={(event) => {
          setVolume(event.currentTarget.volume);
          setMuted(event.currentTarget.muted);
        }}
      />
      {error && (
        <div
          role="alert"
          className="absolute inset-0 flex items-center justify-center bg-black/80 p-6 text-center text-white"
        >
          {error}
        </div>
      )}
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>
      {props.processing && (
        <p
          role="status"
          className="absolute top-2 left-2 rounded bg-black/70 px-2 py-1 text-xs text-white"
          data-testid="still-processing"
        >
          Still processing — more of this video appears as it's ready.
        </p>
      )}
      <div className="absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/80 to-transparent px-3 pt-8 pb-2 opacity-100 transition-opacity sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
        <div className="relative">
          {preview && (
            <div
              className="pointer-events-none absolute bottom-6 -translate-x-1/2 rounded bg-black/90 p-1 text-center text-xs text-white shadow"
              style={{ left: `${preview.left}%` }}
              data-testid="seek-preview"
            >
              {previewCue && (
                <div
                  style={{
                    width: previewCue.width,
                    height: previewCue.height,
                    backgroundImage: `url("${previewCue.url}")`,
                    backgroundPosition: `-${previewCue.x}px -${previewCue.y}px`,
                  }}
                />
              )}
              {formatDuration(preview.time)}
            </div>
          )}
          <input
            type="range"
            className="w-full accent-indigo-500"
            min={0}
            max={duration || 0}
            step={0.1}
            value={Math.min(time, duration || 0)}
            aria-label="Seek"
            aria-valuetext={`${formatDuration(time)} of ${formatDuration(duration)}`}
            style={{
              background: duration
                ? `linear-gradient(to right, rgb(255 255 255 / 0.5) ${(buffered / duration) * 100}%, transparent 0)`
                : undefined,
            }}
            onChange={(event) => {
              const video = videoRef.current;
              if (video) video.currentTime = Number(event.currentTarget.value);
            }}
            onPointerMove={previewAt}
            onPointerLeave={() => setPreview(undefined)}
            disabled={duration === 0}
          />
        </div>
        <div className="flex items-center gap-2 text-white">
          <button
            type="button"
            className="rounded px-2 py-1 text-sm hover:bg-white/20"
            aria-label={playing ? 'Pause' : 'Play'}
            data-testid="play-button"
            onClick={() => act({ type: 'toggle-play' })}
          >
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <span className="text-xs tabular-nums" aria-hidden="true">
            {formatDuration(time)} / {formatDuration(duration)}
          </span>
          <button
            type="button"
            className="ml-2 rounded px-2 py-1 text-sm hover:bg-white/20"
            aria-label={muted ? 'Unmute' : 'Mute'}
            aria-pressed={muted}
            onClick={() => act({ type: 'toggle-mute' })}
          >
            <Icon name={muted || volume === 0 ? 'muted' : 'volume'} />
          </button>
          <input
            type="range"
            className="hidden w-20 accent-indigo-500 sm:block"
            min={0}
            max={1}
            step={0.05}
            value={muted ? 0 : volume}
            aria-label="Volume"
            onChange={(event) => {
              const video = videoRef.current;
              if (!video) return;
              video.volume = Number(event.currentTarget.value);
              video.muted = video.volume === 0;
            }}
          />
          <span className="flex-1" />
          {audioTracks.length > 1 && (
            <TrackMenu
              title="Audio"
              options={trackOptions(audioTracks, false)}
              selected={audioTrack}
              onChoose={chooseAudio}
              testId="audio"
            />
          )}
          {subtitleTracks.length > 0 && (
            <TrackMenu
              title="Captions"
              options={trackOptions(subtitleTracks, true)}
              selected={subtitleTrack}
              onChoose={chooseSubtitles}
              testId="captions"
            />
          )}
          <TrackMenu
            title="Player"
            options={PLAYER_PREFERENCES.map((preference, id) => ({
              id,
              label: PLAYER_NAMES[preference],
            }))}
            selected={PLAYER_PREFERENCES.indexOf(props.preference)}
            onChoose={(id) => {
              const next = PLAYER_PREFERENCES[id];
              if (next && next !== props.preference) props.onPreferenceChange(next);
            }}
            testId="player-engine"
          />
          <QualityMenu
            levels={levels}
            choice={playback.choice}
            playingIndex={playingIndex}
            onChoose={choose}
          />
          <button
            type="button"
            className="rounded px-2 py-1 text-sm hover:bg-white/20"
            aria-label="Full screen"
            onClick={() => act({ type: 'toggle-fullscreen' })}
          >
            <Icon name="fullscreen" />
          </button>
        </div>
      </div>
    </div>
  );
}
