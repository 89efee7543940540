import { z } from 'zod';
import type { FrameRate, MediaMetadata, ProbeRefusalCode } from '@videoforge/contracts';

/**
 * A deliberately small reading of ffprobe's JSON for the upload check (is this a
 * video, and what are its basic properties). The transcoder's probe is the full one;
 * this one should move to platform and be shared (see the API issue's notes).
 */
const FfprobeJson = z.object({
  streams: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        profile: z.string().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        pix_fmt: z.string().optional(),
        r_frame_rate: z.string().optional(),
        avg_frame_rate: z.string().optional(),
        bit_rate: z.string().optional(),
        channels: z.number().int().optional(),
        channel_layout: z.string().optional(),
        sample_rate: z.string().optional(),
        duration: z.string().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).optional(),
        side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
      }),
    )
    .default([]),
  format: z
    .object({
      format_name: z.string(),
      duration: z.string().optional(),
      size: z.string().optional(),
      bit_rate: z.string().optional(),
    })
    .optional(),
});

export type ProbeOutcome =
  { ok: true; metadata: MediaMetadata } | { ok: false; code: ProbeRefusalCode; message: string };

const IMAGE_FORMATS =
  /(^|,)(image2|png_pipe|jpeg_pipe|gif|webp_pipe|bmp_pipe|tiff_pipe|svg_pipe)(,|$)/;

function rate(value: string | undefined): FrameRate | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  if (!match) return undefined;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return num > 0 && den > 0 ? { num, den } : undefined;
}

function positiveInt(value: string | number | undefined): number | undefined {
  const n = Math.round(Number(value));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function kbps(value: string | undefined): number | undefined {
  const bits = positiveInt(value);
  return bits === undefined ? undefined : positiveInt(bits / 1000);
}

export function interpretFfprobe(json: unknown): ProbeOutcome {
  const parsed = FfprobeJson.safeParse(json);
  if (!parsed.success || !parsed.data.format)
    return { ok: false, code: 'unreadable', message: 'not a recognised media file' };
  const { streams, format } = parsed.data;
  if (IMAGE_FORMATS.test(format.format_name))
    return { ok: false, code: 'still-image', message: 'a still image is not a video' };
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video || !video.width || !video.height)
    return { ok: false, code: 'no-video-stream', message: 'the file has no video stream' };
  const durationSeconds = Number(format.duration ?? video.duration);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    return { ok: false, code: 'zero-duration', message: 'the video has no duration' };
  }
  const frameRate = rate(video.r_frame_rate) ?? rate(video.avg_frame_rate);
  if (!frameRate)
    return { ok: false, code: 'unknown-frame-rate', message: 'the video has no usable frame rate' };
  const rotationRaw = video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0;
  const rotation = ((((-Math.round(rotationRaw / 90) * 90) % 360) + 360) % 360) as
    0 | 90 | 180 | 270;
  const sideways = rotation === 90 || rotation === 270;
  const audio = streams.find((s) => s.codec_type === 'audio');
  const averageFrameRate = rate(video.avg_frame_rate);
  return {
    ok: true,
    metadata: {
      container: format.format_name,
      durationSeconds,
      ...(positiveInt(format.size) !== undefined ? { sizeBytes: positiveInt(format.size) } : {}),
      ...(kbps(format.bit_rate) !== undefined ? { bitRateKbps: kbps(format.bit_rate) } : {}),
      video: {
        index: video.index,
        codec: video.codec_name ?? 'unknown',
        ...(video.profile ? { profile: video.profile } : {}),
        ...(video.pix_fmt ? { pixelFormat: video.pix_fmt } : {}),
        codedWidth: video.width,
        codedHeight: video.height,
        sampleAspectRatio: { num: 1, den: 1 },
        rotation,
        displayWidth: sideways ? video.height : video.width,
        displayHeight: sideways ? video.width : video.height,
        frameRate,
        ...(averageFrameRate ? { averageFrameRate } : {}),
        variableFrameRate:
          averageFrameRate !== undefined &&
          averageFrameRate.num * frameRate.den !== frameRate.num * averageFrameRate.den,
        ...(kbps(video.bit_rate) !== undefined ? { bitRateKbps: kbps(video.bit_rate) } : {}),
      },
      audio:
        audio && audio.channels
          ? {
              index: audio.index,
              codec: audio.codec_name ?? 'unknown',
              channels: audio.channels,
              ...(audio.channel_layout ? { channelLayout: audio.channel_layout } : {}),
              ...(positiveInt(audio.sample_rate) !== undefined
                ? { sampleRate: positiveInt(audio.sample_rate) }
                : {}),
            }
          : null,
    },
  };
}
