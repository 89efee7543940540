import { renditionMp4Name } from '@videoforge/contracts';
import path from 'node:path';
import type { MediaMetadata } from '@videoforge/contracts';
import { ffmpegInputName, inputSafetyOptions, type SourceInput } from '@videoforge/platform/media';
import { toneMapFilters } from '../plan/colour.ts';
import type { LadderPlan, PlannedRendition, VideoTreatment } from '../plan/ladder.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import type { PosterPlan, SpritePlan } from '../output/thumbnails.ts';
import type { RateControl } from './rate-control.ts';
import { videoEncodeOptions, type X264Preset } from './video-encoders.ts';
import {
  decodeFilters,
  renditionVideoFilters,
  sharedVideoFilters,
  stillImageFilters,
} from '../plan/video-filter-chain.ts';

/** One ffmpeg invocation as plain data; `toArgv` is exactly what the runner passes. */
export interface FfmpegCommand {
  input: string;
  inputOptions: string[];
  complexFilter?: string;
  outputs: FfmpegOutput[];
}

export interface FfmpegOutput {
  target: string;
  options: string[];
}

export { X264_PRESETS, type X264Preset } from './video-encoders.ts';

export interface EncoderSettings {
  /** x264's and x265's preset. */
  preset: X264Preset;
  /** SVT-AV1's preset for the AV1 family, 0 (slowest) to 13 (fastest). */
  av1Preset: number;
  /** HLS target segment length; a whole number of keyframe intervals. */
  segmentSeconds: number;
  /** SDR renditions' rate control, every family; HDR twins (x265 Main10) stay capped ABR. */
  rateControl: RateControl;
}

export interface EncodeInput {
  source: SourceInput;
  metadata: MediaMetadata;
  plan: LadderPlan;
  settings: EncoderSettings;
}

/** Where one rendition's files go: a directory we created, named after the rendition. */
export interface RenditionOutput {
  rendition: PlannedRendition;
  dir: string;
}

/**
 * Global options first: quiet stderr except errors, and machine-readable progress on
 * stderr (fluent-ffmpeg hands us stderr line by line; stdout is not ours to read).
 */
export const GLOBAL_OPTIONS = [
  '-hide_banner',
  '-nostats',
  '-loglevel',
  'error',
  '-progress',
  'pipe:2',
];

/** One ffmpeg per rendition: what one Kubernetes Job per rendition runs. */
export function buildRenditionCommand(input: EncodeInput, output: RenditionOutput): FfmpegCommand {
  return {
    input: ffmpegInputName(input.source),
    inputOptions: [...GLOBAL_OPTIONS, ...inputSafetyOptions(input.source)],
    outputs: [
      {
        target: teeTarget(output, input.settings.segmentSeconds),
        options: [
          '-map',
          `0:${input.metadata.video.index}`,
          '-vf',
          [
            ...sharedVideoFilters(input.plan),
            ...renditionVideoFilters(input.plan, output.rendition),
          ].join(','),
          ...encodeOptions(input, output.rendition),
        ],
      },
    ],
  };
}

/**
 * One ffmpeg for the whole ladder: decode (and frame-rate convert) once, split, scale
 * per rendition. Each output still has its own encoder, with identical GOP settings.
 */
export function buildLadderCommand(
  input: EncodeInput,
  outputs: readonly RenditionOutput[],
  /** Audio and subtitle outputs beside the video ones: the source is read once for all. */
  tracks?: { filterChains: readonly string[]; outputs: readonly FfmpegOutput[] },
): FfmpegCommand {
  if (outputs.length === 0) throw new Error('a ladder needs at least one rendition');
  const splitLabels = outputs.map((_, i) => `[s${i}]`).join('');
  const branches = outputs.map(
    (output, i) => `[s${i}]${renditionVideoFilters(input.plan, output.rendition).join(',')}[v${i}]`,
  );
  const video = `[0:${input.metadata.video.index}]`;
  const hdr = outputs.filter((output) => output.rendition.hdr);
  // HDR twins branch off before tone mapping: decode once, one split per dynamic range.
  const graph =
    hdr.length === 0
      ? [
          `${video}${sharedVideoFilters(input.plan).join(',')},split=${outputs.length}${splitLabels}`,
        ]
      : [
          `${video}${decodeFilters(input.plan).join(',')},split=2[sdr][hdr]`,
          `[sdr]${[...toneMapFilters(input.plan.video.colour), 'null'].join(',')},split=${outputs.length - hdr.length}${outputs
            .map((output, i) => (output.rendition.hdr ? '' : `[s${i}]`))
            .join('')}`,
          `[hdr]split=${hdr.length}${outputs.map((output, i) => (output.rendition.hdr ? `[s${i}]` : '')).join('')}`,
        ];
  return {
    input: ffmpegInputName(input.source),
    inputOptions: [...GLOBAL_OPTIONS, ...inputSafetyOptions(input.source)],
    complexFilter: [...graph, ...branches, ...(tracks?.filterChains ?? [])].join(';'),
    outputs: [
      ...outputs.map((output, i) => ({
        target: teeTarget(output, input.settings.segmentSeconds),
        options: ['-map', `[v${i}]`, ...encodeOptions(input, output.rendition)],
      })),
      ...(tracks?.outputs ?? []),
    ],
  };
}

function encodeOptions(input: EncodeInput, rendition: PlannedRendition): string[] {
  const { plan, settings } = input;
  return [
    ...videoEncodeOptions(rendition, {
      preset: settings.preset,
      av1Preset: settings.av1Preset,
      rateControl: settings.rateControl,
      gopFrames: plan.gopFrames,
    }),
    ...muxOptions(),
  ];
}

function muxOptions(): string[] {
  return [
    // Video only: every audio track is its own HLS rendition, encoded once for all
    // renditions (tracks.service.ts); finalize muxes the main mix into the progressive MP4.
    '-an',
    // The tee muxer cannot tell the encoders its slaves want out-of-band parameter sets.
    '-flags',
    '+global_header',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-sn',
    '-dn',
    '-f',
    'tee',
  ];
}

/**
 * The tee muxer writes each encoded packet twice: CMAF/fMP4 HLS (one init segment,
 * independent segments) and a faststart MP4. Paths are ours (see assertTeeSafe).
 */
export function teeTarget(output: RenditionOutput, segmentSeconds: number): string {
  assertTeeSafe(output.dir);
  const hls = [
    'f=hls',
    `hls_time=${segmentSeconds}`,
    // EVENT while running (the playlist only grows); the transcoder rewrites it as VOD.
    'hls_playlist_type=event',
    'hls_segment_type=fmp4',
    `hls_fmp4_init_filename=${RENDITION_FILES.init}`,
    `hls_segment_filename=${path.join(output.dir, RENDITION_FILES.segmentPattern)}`,
    // temp_file: a segment appears under its name only once complete, so the live
    // publisher never uploads half a segment.
    'hls_flags=independent_segments+temp_file',
  ].join(':');
  return `[${hls}]${path.join(output.dir, RENDITION_FILES.playlist)}|[f=mp4:movflags=+faststart]${path.join(output.dir, renditionMp4Name(output.rendition.name))}`;
}

/**
 * The tee syntax gives : | [ ] \ ' and , meanings; our work directories never contain
 * them (the config refuses such a TRANSCODE_WORK_DIR), so this is a guard, not escaping.
 */
function assertTeeSafe(dir: string): void {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(dir))
    throw new Error(`unsafe output directory for the tee muxer: ${dir}`);
}

/** A representative poster frame: the thumbnail filter picks the least unusual frame of a window. */
export function buildPosterCommand(
  source: SourceInput,
  metadata: MediaMetadata,
  video: VideoTreatment,
  poster: PosterPlan,
  target: string,
): FfmpegCommand {
  const filters = stillImageFilters(video, poster);
  return {
    input: ffmpegInputName(source),
    inputOptions: [
      ...GLOBAL_OPTIONS,
      ...(poster.seek === 'input' ? ['-ss', poster.seekSeconds.toFixed(3)] : []),
      ...inputSafetyOptions(source),
    ],
    outputs: [
      {
        target,
        options: [
          ...(poster.seek === 'output' ? ['-ss', poster.seekSeconds.toFixed(3)] : []),
          '-map',
          `0:${metadata.video.index}`,
          '-vf',
          [
            ...filters.before,
            ...filters.scale,
            ...(poster.windowFrames > 1 ? [`thumbnail=${poster.windowFrames}`] : []),
            'format=yuvj420p',
          ].join(','),
          '-frames:v',
          '1',
          '-q:v',
          '3',
          '-an',
          '-f',
          'image2',
          '-update',
          '1',
        ],
      },
    ],
  };
}

/** Every thumbnail of the seek sprite in one JPEG grid. */
export function buildSpriteCommand(
  source: SourceInput,
  metadata: MediaMetadata,
  video: VideoTreatment,
  sprite: SpritePlan,
  target: string,
): FfmpegCommand {
  const filters = stillImageFilters(video, {
    width: sprite.thumbWidth,
    height: sprite.thumbHeight,
  });
  return {
    input: ffmpegInputName(source),
    inputOptions: [...GLOBAL_OPTIONS, ...inputSafetyOptions(source)],
    outputs: [
      {
        target,
        options: [
          '-map',
          `0:${metadata.video.index}`,
          '-vf',
          [
            // Thumbnail times count from the first frame, whatever the source's start time.
            'setpts=PTS-STARTPTS',
            `fps=1/${sprite.intervalSeconds}`,
            ...filters.before,
            ...filters.scale,
            `tile=${sprite.columns}x${sprite.rows}`,
            'format=yuvj420p',
          ].join(','),
          '-frames:v',
          '1',
          '-q:v',
          '5',
          '-an',
          '-f',
          'image2',
          '-update',
          '1',
        ],
      },
    ],
  };
}

/** The argument vector, in the order fluent-ffmpeg assembles it (a unit test holds it to that). */
export function toArgv(command: FfmpegCommand): string[] {
  return [
    ...command.inputOptions,
    '-i',
    command.input,
    '-y',
    ...(command.complexFilter ? ['-filter_complex', command.complexFilter] : []),
    ...command.outputs.flatMap((output) => [...output.options, output.target]),
  ];
}
