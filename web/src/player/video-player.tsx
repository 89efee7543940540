import Hls, { type ErrorData } from 'hls.js';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent,
} from 'react';
import { formatDuration } from '../lib/format.ts';
import { Icon } from './icons.tsx';
import { playerActionFor, type PlayerAction } from './keyboard.ts';
import { hlsLevelOf, type QualityChoice, type QualityLevel } from './quality-levels.ts';
import { QualityMenu } from './quality-menu.tsx';
import { TrackMenu, trackOptions } from './track-menu.tsx';
import { cueAt, type ThumbnailCue } from './thumbnails-vtt.ts';

export interface Mp4Source {
  rendition: string;
  url: string;
}

export interface VideoPlayerProps {
  /** The HLS master playlist (same origin, /api/stream/…). */
  masterUrl: string;
  title: string;
  posterUrl: string | undefined;
  thumbnails: readonly ThumbnailCue[];
  /** Sent with the master playlist request (private videos); variants carry their own stream token. */
  getAccessToken: () => Promise<string | undefined>;
  /** Progressive MP4s, for browsers without Media Source Extensions. */
  loadMp4Sources: () => Promise<Mp4Source[]>;
  /** Native HLS (Safari without MSE) cannot send a token, so only public videos use it. */
  allowNativeHls: boolean;
}

type Mode = 'hls' | 'native' | 'mp4';

/** hls.js where Media Source Extensions exist, else the browser's own HLS, else MP4 files. */
function playbackMode(allowNativeHls: boolean): Mode {
  if (Hls.isSupported()) return 'hls';
  if (
    allowNativeHls &&
    document.createElement('video').canPlayType('application/vnd.apple.mpegurl')
  )
    return 'native';
  return 'mp4';
}

function mp4Level(source: Mp4Source, index: number): QualityLevel {
  const height = Number(/^(\d+)p$/.exec(source.rendition)?.[1] ?? 0);
  return { index, width: 0, height, bitrate: 0 };
}

/** Highest MP4 up to 1080p: what "Auto" plays without ABR. */
function mp4AutoIndex(levels: readonly QualityLevel[]): number {
  const fitting = levels.filter((level) => level.height <= 1080);
  const pool = fitting.length > 0 ? fitting : levels;
  return pool.reduce((best, level) => (level.height > best.height ? level : best), pool[0]!).index;
}

/**
 * hls.js playback with automatic bit-rate switching and a manual quality menu, seek
 * previews from the WebVTT sprite track, and keyboard control; falls back to native HLS
 * or progressive MP4 where Media Source Extensions are missing.
 */
export function VideoPlayer(props: VideoPlayerProps) {
  const { masterUrl, getAccessToken, loadMp4Sources, allowNativeHls } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | undefined>(undefined);
  const mp4Ref = useRef<Mp4Source[]>([]);
  // Chosen once per mount (the page remounts the player when the stream changes).
  const [mode] = useState<Mode>(() => playbackMode(allowNativeHls));
  const [levels, setLevels] = useState<QualityLevel[]>([]);
  const [choice, setChoice] = useState<QualityChoice>({ kind: 'auto' });
  const [playingIndex, setPlayingIndex] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [buffered, setBuffered] = useState(0);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [preview, setPreview] = useState<{ time: number; left: number } | undefined>();
  const [announcement, setAnnouncement] = useState('');
  // hls.js's alternate audio renditions and subtitle renditions (EXT-X-MEDIA).
  const [audioTracks, setAudioTracks] = useState<{ name: string; lang?: string }[]>([]);
  const [audioTrack, setAudioTrack] = useState(-1);
  const [subtitleTracks, setSubtitleTracks] = useState<{ name: string; lang?: string }[]>([]);
  const [subtitleTrack, setSubtitleTrack] = useState(-1);

  // Attach the source: hls.js where MSE exists, else native HLS, else MP4.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let cancelled = false;
    if (mode === 'hls') {
      const masterPath = new URL(masterUrl, window.location.href).href;
      const hls = new Hls({
        capLevelToPlayerSize: false,
        // Only the master playlist request needs the session; variants carry a stream
        // token and segments are presigned storage URLs (no extra headers there).
        xhrSetup: async (xhr, url) => {
          if (url !== masterPath) return;
          const token = await getAccessToken();
          xhr.open('GET', url, true);
          if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        },
      });
      hlsRef.current = hls;
      let recoveredMedia = false;
      let retriedNetwork = false;
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        setLevels(
          hls.levels.map((level, index) => ({
            index,
            width: level.width,
            height: level.height,
            bitrate: level.bitrate,
          })),
        );
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => setPlayingIndex(data.level));
      const labels = (tracks: readonly { name: string; lang?: string | undefined }[]) =>
        tracks.map((t) => ({ name: t.name, ...(t.lang ? { lang: t.lang } : {}) }));
      hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, (_event, data) => {
        setAudioTracks(labels(data.audioTracks));
        setAudioTrack(hls.audioTrack);
      });
      hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_event, data) => setAudioTrack(data.id));
      hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_event, data) => {
        setSubtitleTracks(labels(data.subtitleTracks));
        setSubtitleTrack(hls.subtitleTrack);
      });
      hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, (_event, data) => setSubtitleTrack(data.id));
      hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
          recoveredMedia = true;
          hls.recoverMediaError();
          return;
        }
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR && !retriedNetwork) {
          retriedNetwork = true;
          hls.startLoad();
          return;
        }
        const status = data.response?.code;
        setError(
          status === 404
            ? 'This video has no playable renditions yet.'
            : data.type === Hls.ErrorTypes.NETWORK_ERROR
              ? 'The stream could not be loaded. Check your connection and reload the page.'
              : `Playback failed (${data.details}).`,
        );
      });
      hls.attachMedia(video);
      hls.loadSource(masterUrl);
      return () => {
        cancelled = true;
        hls.destroy();
        hlsRef.current = undefined;
      };
    }
    if (mode === 'native') {
      video.src = masterUrl;
      return () => {
        video.removeAttribute('src');
        video.load();
      };
    }
    loadMp4Sources()
      .then((sources) => {
        if (cancelled) return;
        mp4Ref.current = sources;
        const mp4Levels = sources.map(mp4Level);
        if (mp4Levels.length === 0) {
          setError('This browser cannot play adaptive streams and no MP4 is available yet.');
          return;
        }
        setLevels(mp4Levels);
        const index = mp4AutoIndex(mp4Levels);
        setPlayingIndex(index);
        video.src = sources[index]!.url;
      })
      .catch(() => {
        if (!cancelled) setError('The video files could not be loaded.');
      });
    return () => {
      cancelled = true;
      video.removeAttribute('src');
      video.load();
    };
  }, [mode, masterUrl, getAccessToken, loadMp4Sources]);

  const choose = useCallback(
    (next: QualityChoice) => {
      setChoice(next);
      const label = next.kind === 'auto' ? 'automatic' : `${levels[next.index]?.height ?? ''}p`;
      setAnnouncement(`Quality set to ${label}`);
      const hls = hlsRef.current;
      if (hls) {
        hls.currentLevel = hlsLevelOf(next);
        return;
      }
      const video = videoRef.current;
      if (mode === 'mp4' && video) {
        const index = next.kind === 'auto' ? mp4AutoIndex(levels) : next.index;
        const source = mp4Ref.current[index];
        if (!source || index === playingIndex) return;
        const at = video.currentTime;
        const resume = !video.paused;
        video.src = source.url;
        video.currentTime = at;
        setPlayingIndex(index);
        if (resume) void video.play().catch(() => undefined);
      }
    },
    [levels, mode, playingIndex],
  );

  const chooseAudio = useCallback(
    (index: number) => {
      const hls = hlsRef.current;
      if (!hls) return;
      hls.audioTrack = index;
      setAudioTrack(index);
      setAnnouncement(`Audio: ${audioTracks[index]?.name ?? ''}`);
    },
    [audioTracks],
  );
  const chooseSubtitles = useCallback(
    (index: number) => {
      const hls = hlsRef.current;
      if (!hls) return;
      hls.subtitleDisplay = index >= 0;
      hls.subtitleTrack = index;
      setSubtitleTrack(index);
      setAnnouncement(
        index < 0 ? 'Captions off' : `Captions: ${subtitleTracks[index]?.name ?? ''}`,
      );
    },
    [subtitleTracks],
  );

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
      data-playing-height={levels.find((level) => level.index === playingIndex)?.height}
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
        onError={(event) => {
          const mediaError = event.currentTarget.error;
          if (mediaError && mode !== 'hls')
            setError(`Playback failed: ${mediaError.message || `media error ${mediaError.code}`}.`);
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
          <QualityMenu
            levels={levels}
            choice={choice}
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
