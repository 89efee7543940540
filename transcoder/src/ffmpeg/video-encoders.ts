import { BT709_OUTPUT_OPTIONS } from '../plan/colour.ts';
import { hdrEncodeOptions } from '../plan/hdr-variant.ts';
import type { PlannedRendition } from '../plan/ladder.ts';
import {
  svtAv1RateControlOptions,
  x264RateControlOptions,
  x265RateControlOptions,
  type RateControl,
} from './rate-control.ts';

/** What every family's options builder needs beyond the rendition itself. */
export interface VideoEncoderSettings {
  /** x264's and x265's preset (they share the names). */
  preset: X264Preset;
  /** SVT-AV1's preset, 0 (slowest) to 13 (fastest). */
  av1Preset: number;
  rateControl: RateControl;
  gopFrames: number;
}

/**
 * SVT-AV1's preset when nothing is configured, chosen for speed (docs/transcoder.md,
 * "Codec families"): on the 720p rendition preset 10 costs 1.9× x264 veryfast's CPU where 8
 * costs 4.0× for 0.001–0.002 more SSIM; 12 (1.2×) gives back a further 0.003.
 */
export const DEFAULT_AV1_PRESET = 10;

export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

/**
 * The encoder a rendition needs, one case per family (and the HDR twins' HEVC Main10):
 * `VIDEO_ENCODERS` is typed over it, so a new case without a builder does not compile.
 */
export type VideoEncoder =
  | { type: 'x264' }
  | { type: 'x265' }
  | { type: 'x265Hdr'; range: 'PQ' | 'HLG' }
  | { type: 'svtAv1' };

export function videoEncoderOf(rendition: PlannedRendition): VideoEncoder {
  if (rendition.hdr) return { type: 'x265Hdr', range: rendition.hdr };
  switch (rendition.family) {
    case undefined:
      return { type: 'x264' };
    case 'hevc':
      return { type: 'x265' };
    case 'av1':
      return { type: 'svtAv1' };
  }
}

type OptionsBuilder<E extends VideoEncoder> = (
  rendition: PlannedRendition,
  settings: VideoEncoderSettings,
  encoder: E,
) => string[];

const VIDEO_ENCODERS: {
  [T in VideoEncoder['type']]: OptionsBuilder<Extract<VideoEncoder, { type: T }>>;
} = {
  x264: x264Options,
  x265: x265Options,
  x265Hdr: (rendition, settings, encoder) =>
    hdrEncodeOptions(rendition, encoder.range, settings.gopFrames, settings.preset),
  svtAv1: svtAv1Options,
};

/** The video encoder's arguments for one rendition. */
export function videoEncodeOptions(
  rendition: PlannedRendition,
  settings: VideoEncoderSettings,
): string[] {
  const encoder = videoEncoderOf(rendition);
  const build = VIDEO_ENCODERS[encoder.type] as OptionsBuilder<typeof encoder>;
  return build(rendition, settings, encoder);
}

function x264Options(rendition: PlannedRendition, settings: VideoEncoderSettings): string[] {
  const gop = String(settings.gopFrames);
  return [
    '-c:v',
    'libx264',
    '-preset',
    settings.preset,
    '-profile:v',
    'high',
    ...x264RateControlOptions(settings.rateControl, rendition),
    // A fixed GOP and no scene-cut keyframes: every rendition's keyframes fall on the same
    // frames, so segment boundaries match and players switch renditions cleanly.
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    // True colour tags on every output: BT.709 SDR (HDR sources are tone-mapped to it).
    ...BT709_OUTPUT_OPTIONS,
  ];
}

/**
 * HEVC Main (8-bit SDR) beside H.264: x265 with the same preset name, `hvc1` sample entry
 * (Apple's players require it in fMP4), the same closed fixed GOP as every rendition, and
 * BT.709 in the VUI like the H.264 renditions.
 */
function x265Options(rendition: PlannedRendition, settings: VideoEncoderSettings): string[] {
  const gop = settings.gopFrames;
  const params = [
    'log-level=error',
    `keyint=${gop}`,
    `min-keyint=${gop}`,
    'scenecut=0',
    'open-gop=0',
    'repeat-headers=1',
    'colorprim=bt709',
    'transfer=bt709',
    'colormatrix=bt709',
  ];
  return [
    '-c:v',
    'libx265',
    '-preset',
    settings.preset,
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    '-tag:v',
    'hvc1',
    ...x265RateControlOptions(settings.rateControl, rendition),
    '-x265-params',
    params.join(':'),
    ...BT709_OUTPUT_OPTIONS,
  ];
}

/**
 * AV1 Main (8-bit SDR) with SVT-AV1 at a speed preset (TRANSCODE_AV1_PRESET, chosen in
 * docs/transcoder.md). keyint fixes the GOP and scd=0 stops scene-change keyframes, so
 * keyframes fall on the same frames in every rendition of the family; SVT-AV1's default
 * key-frame refresh is a closed GOP, so each segment starts with a key frame.
 */
function svtAv1Options(rendition: PlannedRendition, settings: VideoEncoderSettings): string[] {
  return [
    '-c:v',
    'libsvtav1',
    '-preset',
    String(settings.av1Preset),
    '-pix_fmt',
    'yuv420p',
    ...svtAv1RateControlOptions(settings.rateControl, rendition),
    '-g',
    String(settings.gopFrames),
    '-svtav1-params',
    `keyint=${settings.gopFrames}:scd=0`,
    ...BT709_OUTPUT_OPTIONS,
  ];
}
