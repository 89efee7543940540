import { z } from 'zod';
import type {
  AudioStreamInfo,
  MediaMetadata,
  ProbeRefusalCode,
  SubtitleStreamInfo,
  VideoStreamInfo,
} from '@videoforge/contracts';
import { colourOf, dolbyVisionOf, dynamicRangeOf, fieldOrderOf } from './colour.parser.ts';
import { parseRational, rateValue } from './frame-rate.ts';

/** The parts of `ffprobe -of json -show_format -show_streams` we read. */
export const FfprobeStream = z.object({
  index: z.number().int().nonnegative(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  profile: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  sample_aspect_ratio: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  bit_rate: z.string().optional(),
  bits_per_raw_sample: z.string().optional(),
  channels: z.number().int().optional(),
  channel_layout: z.string().optional(),
  sample_rate: z.string().optional(),
  duration: z.string().optional(),
  nb_frames: z.string().optional(),
  disposition: z
    .object({
      attached_pic: z.number().optional(),
      default: z.number().optional(),
      forced: z.number().optional(),
    })
    .optional(),
  start_time: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  color_range: z.string().optional(),
  color_space: z.string().optional(),
  color_transfer: z.string().optional(),
  color_primaries: z.string().optional(),
  field_order: z.string().optional(),
  side_data_list: z
    .array(
      z.object({
        side_data_type: z.string().optional(),
        rotation: z.number().optional(),
        dv_profile: z.number().optional(),
        dv_bl_signal_compatibility_id: z.number().optional(),
      }),
    )
    .optional(),
});
export type FfprobeStream = z.infer<typeof FfprobeStream>;

export const FfprobeOutput = z.object({
  streams: z.array(FfprobeStream).default([]),
  format: z
    .object({
      format_name: z.string(),
      duration: z.string().optional(),
      start_time: z.string().optional(),
      size: z.string().optional(),
      bit_rate: z.string().optional(),
    })
    .optional(),
});
export type FfprobeOutput = z.infer<typeof FfprobeOutput>;

/** Why a probe failed: bad input is never retried; the rest may be the network or server. */
export type ProbeFailure =
  | { kind: 'bad-input'; code: ProbeRefusalCode; message: string }
  | { kind: 'transient'; code: 'source-unreachable' | 'probe-failed'; message: string };

export type ProbeResult =
  { ok: true; metadata: MediaMetadata } | { ok: false; reason: ProbeFailure };

/** What the header says beyond the metadata, for callers' own checks. */
export interface ProbedMedia {
  metadata: MediaMetadata;
  /** The container's first timestamp (format start_time); 0 when not stated. */
  startTimeSeconds: number;
  /** The video stream's declared frame count (nb_frames), when the container states it. */
  videoFrameCount: number | undefined;
}

export type HeaderResult = ({ ok: true } & ProbedMedia) | { ok: false; reason: ProbeFailure };

const refuse = (code: ProbeRefusalCode, message: string): HeaderResult => ({
  ok: false,
  reason: { kind: 'bad-input', code, message },
});

const IMAGE_DEMUXER = /(_pipe|^image2|^gif|^apng|^webp)$/;

/**
 * Turns ffprobe's JSON into zod-checked metadata, or says why this is not a video at
 * all. Limits (sizes, durations) are the caller's policy and are not applied here.
 */
export function interpretFfprobe(json: unknown): HeaderResult {
  const parsed = FfprobeOutput.safeParse(json);
  if (!parsed.success || !parsed.data.format) {
    return refuse('unreadable', 'not a recognised media file');
  }
  const { format, streams } = parsed.data;
  const image = format.format_name.split(',').find((demuxer) => IMAGE_DEMUXER.test(demuxer));
  if (image) return refuse('still-image', stillImageMessage(image));
  const videoStream = streams.find(
    (s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1,
  );
  const duration =
    positive(format.duration) ?? Math.max(0, ...streams.map((s) => positive(s.duration) ?? 0));
  if (!(duration > 0)) {
    return refuse('zero-duration', 'the file has zero duration: it holds no playable frames');
  }
  if (!videoStream) {
    const onlyAudio = streams.some((s) => s.codec_type === 'audio');
    return refuse(
      'no-video-stream',
      onlyAudio ? 'the file is audio only: it has no video stream' : 'the file has no video stream',
    );
  }
  const video = interpretVideo(videoStream);
  if (!video) return refuse('unreadable', 'the video stream has no usable dimensions');
  if (!video.frameRate)
    return refuse('unknown-frame-rate', 'the video stream does not state a frame rate');
  const audioTracks = streams
    .filter((s) => s.codec_type === 'audio' && (s.channels ?? 0) > 0)
    .map(interpretAudio);
  // The main mix is the track the container marks default; a commentary or dub that
  // happens to come first is only an alternate.
  const mainAudio = audioTracks.find((track) => track.isDefault) ?? audioTracks[0];
  const subtitles = streams.filter((s) => s.codec_type === 'subtitle').map(interpretSubtitle);
  const sizeBytes = nonNegativeInt(format.size);
  const bitRateKbps = kbps(format.bit_rate);
  const startTime = Number(format.start_time ?? 0);
  return {
    ok: true,
    metadata: {
      container: format.format_name,
      durationSeconds: duration,
      ...(Number.isFinite(startTime) && startTime !== 0 ? { startTimeSeconds: startTime } : {}),
      ...(sizeBytes !== undefined ? { sizeBytes } : {}),
      ...(bitRateKbps !== undefined ? { bitRateKbps } : {}),
      video: { ...video, frameRate: video.frameRate },
      audio: mainAudio ?? null,
      audioTracks,
      subtitles,
    },
    startTimeSeconds: Number.isFinite(startTime) ? startTime : 0,
    videoFrameCount: nonNegativeInt(videoStream.nb_frames),
  };
}

type VideoDraft = Omit<VideoStreamInfo, 'frameRate'> & {
  frameRate: VideoStreamInfo['frameRate'] | undefined;
};

function interpretVideo(stream: FfprobeStream): VideoDraft | undefined {
  const { width, height } = stream;
  if (!width || !height || width <= 0 || height <= 0) return undefined;
  const sampleAspectRatio = parseSampleAspectRatio(stream.sample_aspect_ratio);
  const rotation = clockwiseRotation(stream);
  const shownWidth = Math.max(
    1,
    Math.round((width * sampleAspectRatio.num) / sampleAspectRatio.den),
  );
  const quarterTurn = rotation === 90 || rotation === 270;
  const realRate = parseRational(stream.r_frame_rate);
  const averageRate = parseRational(stream.avg_frame_rate);
  // ffprobe's r_frame_rate is the finest timestamp grid; when it differs from the
  // average the frames arrive irregularly, which is what a phone's VFR looks like.
  const variableFrameRate =
    realRate !== undefined &&
    averageRate !== undefined &&
    Math.abs(rateValue(realRate) - rateValue(averageRate)) / rateValue(realRate) > 0.01;
  const bitDepth =
    positiveInt(stream.bits_per_raw_sample) ?? bitDepthFromPixelFormat(stream.pix_fmt);
  const bitRateKbps = kbps(stream.bit_rate);
  const durationSeconds = positive(stream.duration);
  const colour = colourOf(stream);
  const dolbyVision = dolbyVisionOf(stream);
  const fieldOrder = fieldOrderOf(stream.field_order);
  const startTimeSeconds = Number(stream.start_time);
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    ...(stream.profile ? { profile: stream.profile } : {}),
    ...(stream.pix_fmt ? { pixelFormat: stream.pix_fmt } : {}),
    ...(bitDepth !== undefined ? { bitDepth } : {}),
    codedWidth: width,
    codedHeight: height,
    sampleAspectRatio,
    rotation,
    displayWidth: quarterTurn ? height : shownWidth,
    displayHeight: quarterTurn ? shownWidth : height,
    frameRate: realRate ?? averageRate,
    ...(averageRate ? { averageFrameRate: averageRate } : {}),
    variableFrameRate,
    ...(bitRateKbps !== undefined ? { bitRateKbps } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(colour ? { colour } : {}),
    dynamicRange: dynamicRangeOf(colour?.transfer, dolbyVision),
    ...(dolbyVision ? { dolbyVision } : {}),
    ...(fieldOrder ? { fieldOrder } : {}),
    ...(stream.start_time !== undefined && Number.isFinite(startTimeSeconds)
      ? { startTimeSeconds }
      : {}),
  };
}

function interpretAudio(stream: FfprobeStream): AudioStreamInfo {
  const sampleRate = positiveInt(stream.sample_rate);
  const start = Number(stream.start_time);
  const startSeconds =
    stream.start_time !== undefined && Number.isFinite(start) ? start : undefined;
  const bitRateKbps = kbps(stream.bit_rate);
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels ?? 2,
    ...(stream.channel_layout ? { channelLayout: stream.channel_layout } : {}),
    ...(sampleRate !== undefined ? { sampleRate } : {}),
    ...(bitRateKbps !== undefined ? { bitRateKbps } : {}),
    ...streamLabels(stream),
    isDefault: stream.disposition?.default === 1,
    ...(startSeconds !== undefined ? { startSeconds } : {}),
  };
}

function interpretSubtitle(stream: FfprobeStream): SubtitleStreamInfo {
  return {
    index: stream.index,
    codec: stream.codec_name ?? 'unknown',
    ...streamLabels(stream),
    isDefault: stream.disposition?.default === 1,
    forced: stream.disposition?.forced === 1,
  };
}

/** Language and title tags; `und` (undetermined) says nothing, so it is dropped. */
function streamLabels(stream: FfprobeStream): { language?: string; title?: string } {
  const tags = stream.tags ?? {};
  const language = (tags.language ?? tags.LANGUAGE)?.trim();
  const title = (tags.title ?? tags.TITLE)?.trim();
  return {
    ...(language &&
    language.toLowerCase() !== 'und' &&
    /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language)
      ? { language: language.slice(0, 64) }
      : {}),
    ...(title ? { title: title.slice(0, 256) } : {}),
  };
}

function parseSampleAspectRatio(text: string | undefined): { num: number; den: number } {
  const match = /^(\d+):(\d+)$/.exec(text ?? '');
  const num = Number(match?.[1]);
  const den = Number(match?.[2]);
  // "0:1" means unknown, which players treat as square pixels.
  return num > 0 && den > 0 ? { num, den } : { num: 1, den: 1 };
}

/**
 * ffprobe reports the display matrix's rotation counter-clockwise (e.g. -90 for a phone
 * held upright); the older `rotate` tag is clockwise.
 */
function clockwiseRotation(stream: FfprobeStream): 0 | 90 | 180 | 270 {
  const matrix = stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation;
  const degrees = matrix !== undefined ? -matrix : Number(stream.tags?.rotate ?? 0);
  const quarter = ((Math.round((Number.isFinite(degrees) ? degrees : 0) / 90) % 4) + 4) % 4;
  return ([0, 90, 180, 270] as const)[quarter] ?? 0;
}

function bitDepthFromPixelFormat(pixelFormat: string | undefined): number | undefined {
  const match = /p(\d{2})(le|be)$/.exec(pixelFormat ?? '');
  return match ? Number(match[1]) : pixelFormat ? 8 : undefined;
}

function positive(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

function positiveInt(text: string | undefined): number | undefined {
  const value = positive(text);
  return value !== undefined && Number.isInteger(value) ? value : undefined;
}

function nonNegativeInt(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function kbps(bitsPerSecond: string | undefined): number | undefined {
  const value = positive(bitsPerSecond);
  return value === undefined ? undefined : Math.max(1, Math.round(value / 1000));
}

function stillImageMessage(demuxer: string): string {
  return `the file is a still image (${demuxer.replace(/_pipe$/, '')}), not a video`;
}

/**
 * Turns ffprobe's (or ffmpeg's) complaint about a source into a failure: bad input is
 * never retried, anything that could be the network or the server is transient.
 */
export function classifySourceError(stderr: string): ProbeFailure {
  const tail = lastMeaningfulLine(stderr);
  const whitelisted = /\[([\w,]+) @ [^\]]+\] Format not on whitelist/.exec(stderr);
  if (whitelisted) {
    const demuxer = whitelisted[1] ?? 'unknown';
    return IMAGE_DEMUXER.test(demuxer)
      ? { kind: 'bad-input', code: 'still-image', message: stillImageMessage(demuxer) }
      : {
          kind: 'bad-input',
          code: 'format-not-allowed',
          message: `the ${demuxer} format is not accepted as a video source`,
        };
  }
  if (/Protocol '?[\w]*'? not on whitelist/i.test(stderr)) {
    return {
      kind: 'bad-input',
      code: 'source-not-allowed',
      message: 'the source tried to open a location outside its own URL',
    };
  }
  // A text file named .mp4 and an MP4 cut before its index look the same to ffprobe.
  if (/moov atom not found/.test(stderr)) {
    return {
      kind: 'bad-input',
      code: 'unreadable',
      message:
        'not a playable video: the MP4 index (moov atom) is missing, so the file is truncated or not a video at all',
    };
  }
  if (/(Server returned 404|HTTP error 404|No such file or directory)/.test(stderr)) {
    return { kind: 'bad-input', code: 'source-not-found', message: 'the source does not exist' };
  }
  if (
    /Server returned [45]|HTTP error|Connection (refused|reset|timed out)|timed out|Network is unreachable|Failed to resolve hostname|Input\/output error|End of file/i.test(
      stderr,
    )
  ) {
    return {
      kind: 'transient',
      code: 'source-unreachable',
      message: `could not read the source: ${tail}`,
    };
  }
  if (
    /Invalid data found when processing input|EBML header parsing failed|could not find codec parameters/i.test(
      stderr,
    )
  ) {
    return {
      kind: 'bad-input',
      code: 'unreadable',
      message: 'not a recognised video file (the data is not a supported container)',
    };
  }
  return { kind: 'transient', code: 'probe-failed', message: `ffprobe failed: ${tail}` };
}

function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1)?.slice(0, 300) ?? 'no output';
}
