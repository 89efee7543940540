export { parseRational, rateValue, reduceRate } from './frame-rate.ts';
export { runFfprobe, type FfprobeRun, type FfprobeRunOptions } from './ffprobe.runner.ts';
export {
  classifySourceError,
  FfprobeOutput,
  FfprobeStream,
  interpretFfprobe,
  type HeaderResult,
  type ProbedMedia,
  type ProbeFailure,
  type ProbeResult,
} from './probe.parser.ts';
export {
  confinedFfprobeArgs,
  probeMedia,
  type MediaProbe,
  type ProbeMediaOptions,
} from './probe.service.ts';
export {
  ALLOWED_DEMUXERS,
  describeSource,
  ffmpegInputName,
  HTTP_PROTOCOLS,
  HTTPS_PROTOCOLS,
  inputSafetyOptions,
  urlSource,
  withoutUrlCredentials,
  type SourceInput,
} from './source-input.ts';
export {
  CaptionParseError,
  parseCaptions,
  renderWebVtt,
  segmentWebVtt,
  type CaptionCue,
  type SegmentedWebVtt,
} from './webvtt-hls.ts';
