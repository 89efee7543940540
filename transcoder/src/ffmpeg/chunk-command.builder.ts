import path from 'node:path';
import type { FrameRate } from '@videoforge/contracts';
import { ffmpegInputName, inputSafetyOptions, rateValue } from '@videoforge/platform/media';
import type { PlannedRendition } from '../plan/ladder.ts';
import { formatRate } from '../plan/output-frame-rate.ts';
import { renditionVideoFilters, sharedVideoFilters } from '../plan/video-filter-chain.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import {
  GLOBAL_OPTIONS,
  type EncodeInput,
  type FfmpegCommand,
  type RenditionOutput,
} from './ffmpeg-command.builder.ts';
import { videoEncodeOptions } from './video-encoders.ts';

/** Where a chunk sits on the job's segment grid, in frames of the output rate. */
export interface ChunkWindow {
  startSegment: number;
  segmentCount: number;
  /** Frames per segment: a whole number of GOPs, the same for every chunk. */
  segmentFrames: number;
}

/** Frames per HLS segment: the segment is a whole number of keyframe intervals. */
export function segmentFramesOf(
  gopFrames: number,
  segmentSeconds: number,
  keyframeIntervalSeconds: number,
): number {
  return gopFrames * Math.max(1, Math.round(segmentSeconds / keyframeIntervalSeconds));
}

/** Seconds of output time at which frame `frame` is shown, exactly as a decimal ffmpeg reads. */
function frameSeconds(frame: number, rate: FrameRate): number {
  return (frame * rate.den) / rate.num;
}

/**
 * One chunk of the chunked strategy: every rendition's video for exactly its frames, from
 * one decode, as CMAF/HLS with globally numbered segments.
 *
 * - Accurate input seek (`-ss` before `-i` with `-accurate_seek`) to a quarter frame
 *   before the chunk's first frame, so that frame is kept and the one before dropped
 *   however the decimal rounds; `-frames:v` stops after exactly the chunk's frames, so
 *   no frame is encoded twice or lost between two chunks.
 * - The encoder starts with an IDR on the first frame and the fixed GOP (no scene cuts)
 *   puts every later keyframe where the unchunked encode puts it.
 * - `-output_ts_offset` moves the chunk to its place on the title's timeline (plus the
 *   encoder's reorder delay, which the first chunk gets anyway when the muxer shifts
 *   its negative DTS; see `encoderDelayCommand`), and `frag_discont` writes that time
 *   into each fragment's tfdt, so every chunk's init segment is byte-identical and the
 *   segments concatenate into one continuous timeline.
 * - `-start_number` numbers the segments from the chunk's first global segment.
 * - Video only: audio is the tracks workload, encoded once for the title.
 */
export function buildChunkCommand(
  input: EncodeInput,
  outputs: readonly RenditionOutput[],
  window: ChunkWindow,
  /** The encoder's reorder delay in frames, per rendition (see `encoderDelayCommand`). */
  delayFrames: readonly number[],
): FfmpegCommand {
  if (outputs.length === 0) throw new Error('a chunk needs at least one rendition');
  const { plan, settings } = input;
  const rate = plan.frameRate;
  const startFrame = window.startSegment * window.segmentFrames;
  const frames = window.segmentCount * window.segmentFrames;
  const seek = Math.max(0, frameSeconds(startFrame - 0.25, rate));
  const splitLabels = outputs.map((_, i) => `[s${i}]`).join('');
  const graph = [
    `[0:${input.metadata.video.index}]${sharedVideoFilters(plan).join(',')},split=${outputs.length}${splitLabels}`,
    ...outputs.map(
      (output, i) => `[s${i}]${renditionVideoFilters(plan, output.rendition).join(',')}[v${i}]`,
    ),
  ];
  return {
    input: ffmpegInputName(input.source),
    inputOptions: [
      ...GLOBAL_OPTIONS,
      ...inputSafetyOptions(input.source),
      '-accurate_seek',
      '-ss',
      seek.toFixed(6),
    ],
    complexFilter: graph.join(';'),
    outputs: outputs.map((output, i) => ({
      target: path.join(output.dir, RENDITION_FILES.playlist),
      options: [
        '-map',
        `[v${i}]`,
        ...videoEncodeOptions(output.rendition, {
          preset: settings.preset,
          av1Preset: settings.av1Preset,
          rateControl: settings.rateControl,
          gopFrames: plan.gopFrames,
        }),
        '-an',
        '-sn',
        '-dn',
        '-map_metadata',
        '-1',
        '-map_chapters',
        '-1',
        '-frames:v',
        String(frames),
        '-output_ts_offset',
        frameSeconds(startFrame + (delayFrames[i] ?? 0), rate).toFixed(6),
        ...chunkHlsOptions(output.dir, settings.segmentSeconds, window.startSegment),
      ],
    })),
  };
}

function chunkHlsOptions(dir: string, segmentSeconds: number, startSegment: number): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    RENDITION_FILES.init,
    '-hls_segment_filename',
    path.join(dir, RENDITION_FILES.segmentPattern),
    '-hls_flags',
    'independent_segments',
    '-start_number',
    String(startSegment),
    '-hls_segment_options',
    'movflags=+frag_discont',
  ];
}

/** The probe's picture size: the reorder delay depends on the GOP structure, not the size. */
const DELAY_PROBE_SIZE = { width: 256, height: 144 };

/**
 * A few frames of black through a rendition's encoder settings, to a framecrc listing: the
 * first packet's PTS − DTS is the encoder's reorder delay in frames (2 for x264 with
 * B-frames, 0 for SVT-AV1). It depends on the encoder and its GOP settings, not on the
 * picture or its size, so it runs small: about 0.1 CPU-second (at 1080p it was 0.5).
 */
export function encoderDelayCommand(
  input: EncodeInput,
  rendition: PlannedRendition,
  target: string,
): FfmpegCommand {
  const { plan, settings } = input;
  return {
    input: `color=c=black:s=${DELAY_PROBE_SIZE.width}x${DELAY_PROBE_SIZE.height}:r=${formatRate(plan.frameRate)}`,
    inputOptions: [...GLOBAL_OPTIONS, '-f', 'lavfi'],
    outputs: [
      {
        target: `file:${target}`,
        options: [
          '-frames:v',
          '8',
          '-vf',
          rendition.hdr ? 'format=yuv420p10le' : 'format=yuv420p',
          ...videoEncodeOptions(
            { ...rendition, ...DELAY_PROBE_SIZE },
            {
              preset: settings.preset,
              av1Preset: settings.av1Preset,
              rateControl: settings.rateControl,
              gopFrames: plan.gopFrames,
            },
          ),
          '-f',
          'framecrc',
        ],
      },
    ],
  };
}

/** Reads the reorder delay (frames) from a framecrc listing's first packet line. */
export function delayFromFramecrc(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  const fields = line?.split(',').map((f) => Number.parseInt(f.trim(), 10));
  if (!fields || fields.length < 3 || fields.some((f, i) => i < 3 && !Number.isFinite(f)))
    return undefined;
  return Math.max(0, (fields[2] ?? 0) - (fields[1] ?? 0));
}

/** The chunk's first frame time on the title's timeline, for logs and checks. */
export function chunkStartSeconds(window: ChunkWindow, rate: FrameRate): number {
  return (window.startSegment * window.segmentFrames) / rateValue(rate);
}
