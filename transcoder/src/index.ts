export {
  DEFAULT_COLOUR_SETTINGS,
  planColour,
  TONE_MAP_CURVES,
  type ColourSettings,
  type ToneMapCurve,
} from './plan/colour.ts';
export {
  detectInterlacing,
  interlaceFromFieldOrder,
  type DeinterlaceRate,
  type InterlaceDetection,
} from './plan/deinterlace.ts';
export { renditionVideoFilters, sharedVideoFilters } from './plan/video-filter-chain.ts';
export { videoProcessingOf } from './plan/video-processing.ts';
export { TranscoderEnv, toSourcePolicy, toTranscoderSettings } from './config.ts';
export { exitCodeFor, runCli, type CliDeps, type ExitCode } from './cli/cli.ts';
export { parseCliArgs, USAGE, type CliCommand } from './cli/cli-args.ts';
export {
  buildLadderCommand,
  buildPosterCommand,
  buildRenditionCommand,
  buildSpriteCommand,
  toArgv,
  X264_PRESETS,
  type EncoderSettings,
  type FfmpegCommand,
  type X264Preset,
} from './ffmpeg/ffmpeg-command.builder.ts';
export {
  DEFAULT_AV1_PRESET,
  videoEncodeOptions,
  videoEncoderOf,
  type VideoEncoder,
} from './ffmpeg/video-encoders.ts';
export { extraFamilies, familyTwin } from './plan/codec-family-variant.ts';
export {
  DEFAULT_RATE_CONTROL,
  RateControl,
  RateControlSetting,
  rateControlSetting,
  x264RateControlOptions,
} from './ffmpeg/rate-control.ts';
export { runFfmpeg, type RunOptions, type RunOutcome } from './ffmpeg/ffmpeg.runner.ts';
export {
  finalizeOutputs,
  readManifests,
  type FinalizeOutcome,
  type FinalizeRequest,
} from './steps/finalize.service.ts';
export {
  avcCodecString,
  parseMediaPlaylist,
  renderMasterPlaylist,
  segmentBandwidth,
} from './output/hls-playlist.ts';
export {
  defaultTemplates,
  planLadder,
  selectRendition,
  renditionTemplateOf,
  type LadderPlan,
  type PlannedRendition,
  type RenditionTemplate,
} from './plan/ladder.ts';
export { FINAL_FILES, RENDITION_FILES } from './output/output-layout.ts';
export {
  DEFAULT_PROBE_LIMITS,
  checkProbeLimits,
  interpretProbe,
  type ProbeLimits,
} from './source/probe-limits.ts';
export { probeSource, type ProbeDeps } from './source/source-probe.ts';
export { resolveSource, type SourcePolicy } from './source/source-policy.ts';
export type { ProbeFailure, ProbeResult, SourceInput } from '@videoforge/platform/media';
export { planPoster, planSprite, renderThumbnailsVtt } from './output/thumbnails.ts';
export {
  runLadder,
  runRendition,
  transcodeRenditions,
  type EncodeOutcome,
  type TranscodeFailure,
  type TranscodeOutcome,
  type TranscodeJobRequest,
  type TranscoderSettings,
} from './steps/transcode.service.ts';
export type { EncodedRendition } from './steps/rendition-output.service.ts';
export { transcodeTracks } from './steps/transcode.service.ts';
export {
  planChunkedLadder,
  transcodeChunk,
  type ChunkJobOutcome,
  type ChunkJobRequest,
} from './steps/chunk.service.ts';
export { stitchChunks, type StitchOutcome, type StitchRequest } from './steps/stitch.service.ts';
export { parseQualityStats, type QualityScore } from './quality/quality-stats.parser.ts';
export {
  buildQualityArgs,
  planSampleWindows,
  type ComparedVariant,
  type SampleWindow,
} from './quality/quality-command.builder.ts';
export {
  measureRenditionQuality,
  measureVariantsQuality,
  type MeasuredVariant,
  type QualitySettings,
} from './quality/quality.service.ts';
