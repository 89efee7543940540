import path from 'node:path';
import { SUBTITLE_FULL_VTT, type SkippedTrack } from '@videoforge/contracts';
import { ffmpegInputName, inputSafetyOptions, type SourceInput } from '@videoforge/platform/media';
import { OUTPUT_SAMPLE_RATE, type AudioTrackPlan } from '../plan/audio-tracks.ts';
import { GLOBAL_OPTIONS, type FfmpegCommand, type FfmpegOutput } from './ffmpeg-command.builder.ts';
import type { SubtitlePlan } from '../plan/subtitles.ts';

/** Every audio and text subtitle track of a source, as encoded beside (or apart from) the video. */
export interface TracksPlan {
  audio: AudioTrackPlan[];
  subtitles: SubtitlePlan[];
  skipped: SkippedTrack[];
}

/** Local file names inside `{tracksDir}/{id}/`. */
export const TRACK_FILES = {
  playlist: 'index.m3u8',
  init: 'init.mp4',
  segmentPattern: 'segment-%05d.m4s',
  /** The main mix as one faststart AAC file, stream-copied into each progressive MP4. */
  mainAudio: 'main.m4a',
  /** What ffmpeg writes for a subtitle before it is segmented; uploaded too, for DASH. */
  fullVtt: SUBTITLE_FULL_VTT,
} as const;

export function trackDir(tracksDir: string, id: string): string {
  return path.join(tracksDir, id);
}

/** `[0:i]…[aN]` filter chains, one per audio track, for a -filter_complex. */
export function audioFilterChains(tracks: readonly AudioTrackPlan[]): string[] {
  return tracks.map((track, i) => `[0:${track.source.index}]${track.filter}[a${i}]`);
}

/**
 * One output per audio track (AAC in CMAF/fMP4 HLS; the main mix teed to main.m4a too)
 * and one per text subtitle (ffmpeg's webvtt encoder and muxer, segmented afterwards).
 */
export function trackOutputs(
  plan: TracksPlan,
  tracksDir: string,
  segmentSeconds: number,
): FfmpegOutput[] {
  const audio = plan.audio.map((track, i): FfmpegOutput => ({
    target: audioTeeTarget(trackDir(tracksDir, track.id), segmentSeconds, track.default),
    options: [
      '-map',
      `[a${i}]`,
      '-c:a',
      'aac',
      '-b:a',
      `${track.bitrateKbps}k`,
      '-ac',
      String(track.channels),
      '-ar',
      String(OUTPUT_SAMPLE_RATE),
      '-vn',
      '-sn',
      '-dn',
      '-flags',
      '+global_header',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-f',
      'tee',
    ],
  }));
  const subtitles = plan.subtitles.map((track): FfmpegOutput => ({
    target: path.join(trackDir(tracksDir, track.id), TRACK_FILES.fullVtt),
    options: [
      '-map',
      `0:${track.source.index}`,
      '-c:s',
      'webvtt',
      '-vn',
      '-an',
      '-dn',
      '-map_metadata',
      '-1',
      '-f',
      'webvtt',
    ],
  }));
  return [...audio, ...subtitles];
}

/** Tracks on their own (the per-rendition strategy's `tracks` workload): audio decoded once. */
export function buildTracksCommand(
  source: SourceInput,
  plan: TracksPlan,
  tracksDir: string,
  segmentSeconds: number,
): FfmpegCommand {
  const chains = audioFilterChains(plan.audio);
  return {
    input: ffmpegInputName(source),
    inputOptions: [...GLOBAL_OPTIONS, ...inputSafetyOptions(source)],
    ...(chains.length > 0 ? { complexFilter: chains.join(';') } : {}),
    outputs: trackOutputs(plan, tracksDir, segmentSeconds),
  };
}

function audioTeeTarget(dir: string, segmentSeconds: number, main: boolean): string {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(dir))
    throw new Error(`unsafe output directory for the tee muxer: ${dir}`);
  const hls = [
    'f=hls',
    `hls_time=${segmentSeconds}`,
    // EVENT while running (the playlist only grows); the transcoder rewrites it as VOD.
    'hls_playlist_type=event',
    'hls_segment_type=fmp4',
    `hls_fmp4_init_filename=${TRACK_FILES.init}`,
    `hls_segment_filename=${path.join(dir, TRACK_FILES.segmentPattern)}`,
    // temp_file: a segment appears under its name only once complete, so the live
    // publisher never uploads half a segment.
    'hls_flags=independent_segments+temp_file',
  ].join(':');
  const playlist = `[${hls}]${path.join(dir, TRACK_FILES.playlist)}`;
  return main
    ? `${playlist}|[f=mp4:movflags=+faststart]${path.join(dir, TRACK_FILES.mainAudio)}`
    : playlist;
}
