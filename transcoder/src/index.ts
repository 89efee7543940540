export {
  DEFAULT_COLOUR_SETTINGS,
  planColour,
  TONE_MAP_CURVES,
  type ColourSettings,
  type ToneMapCurve,
} from './colour.ts';
export {
  detectInterlacing,
  interlaceFromFieldOrder,
  type DeinterlaceRate,
  type InterlaceDetection,
} from './deinterlace.ts';
export { videoProcessingOf } from './video-processing.ts';
export { TranscoderEnv, toSourcePolicy, toTranscoderSettings } from './config.ts';
export { exitCodeFor, runCli, type CliDeps, type ExitCode } from './cli.ts';
export { parseCliArgs, USAGE, type CliCommand } from './cli-args.ts';
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
} from './ffmpeg-command.builder.ts';
export { runFfmpeg, type RunOptions, type RunOutcome } from './ffmpeg.runner.ts';
export {
  finalizeJob,
  readManifests,
  type FinalizeOutcome,
  type FinalizeRequest,
} from './finalize.service.ts';
export {
  avcCodecString,
  parseMediaPlaylist,
  renderMasterPlaylist,
  segmentBandwidth,
} from './hls-playlist.ts';
export {
  DEFAULT_TEMPLATES,
  planLadder,
  selectRung,
  templateFromSpec,
  type LadderPlan,
  type Rung,
  type RungTemplate,
} from './ladder.ts';
export { FINAL_FILES, RENDITION_FILES, renditionPrefix } from './output-layout.ts';
export {
  DEFAULT_PROBE_LIMITS,
  checkProbeLimits,
  interpretProbe,
  type ProbeLimits,
} from './probe-limits.ts';
export { probeSource, type ProbeDeps } from './probe.service.ts';
export { resolveSource, type SourcePolicy } from './source-policy.ts';
export type { ProbeFailure, ProbeResult, SourceInput } from '@videoforge/platform/media';
export { planPoster, planSprite, renderThumbnailsVtt } from './thumbnails.ts';
export {
  runLadder,
  runRendition,
  transcodeJob,
  type EncodeOutcome,
  type TranscodeFailure,
  type TranscodeJobOutcome,
  type TranscodeJobRequest,
  type TranscoderSettings,
} from './transcode.service.ts';
export type { EncodedRendition } from './rendition-output.service.ts';
