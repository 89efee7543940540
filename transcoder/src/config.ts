import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LoggingEnv, StorageEnv, withAdapterRequirements } from '@videoforge/platform/config';
import { DEFAULT_COLOUR_SETTINGS, TONE_MAP_CURVES } from './plan/colour.ts';
import { CodecFamiliesSetting, DEFAULT_CODEC_FAMILIES } from '@videoforge/contracts';
import { DEFAULT_AV1_PRESET, X264_PRESETS } from './ffmpeg/video-encoders.ts';
import { DEFAULT_RATE_CONTROL, RateControlSetting } from './ffmpeg/rate-control.ts';
import { DEFAULT_PROBE_LIMITS } from './source/probe-limits.ts';
import type { SourcePolicy } from './source/source-policy.ts';
import type { TranscoderSettings } from './steps/transcode.service.ts';

const positiveInt = z.coerce.number().int().positive();
// The tee muxer gives : | [ ] \ ' , meanings, so the work directory may not contain them.
const safeDirectory = z
  .string()
  .refine((value) => path.isAbsolute(value), 'must be an absolute path')
  .refine(
    (value) => /^\/[A-Za-z0-9._/-]*$/.test(value),
    'may contain only letters, digits, . _ - and /',
  );

/** Every environment variable `videoforge-transcode` reads, parsed once in main.ts. */
export const TranscoderEnv = withAdapterRequirements(
  z.object({
    ...LoggingEnv,
    ...StorageEnv,
    FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
    FFPROBE_PATH: z.string().min(1).default('ffprobe'),
    /** x264 speed/quality trade-off; veryfast keeps a 2-core node near real time at 1080p. */
    TRANSCODE_PRESET: z.enum(X264_PRESETS).default('veryfast'),
    /** SDR renditions: `abr` (the rendition's bit rate, capped at itself) or `capped-crf:N` (CRF N under that cap). */
    TRANSCODE_RATE_CONTROL: RateControlSetting.default(DEFAULT_RATE_CONTROL),
    /** SVT-AV1 speed/quality trade-off for the AV1 family, 0 (slowest) to 13. */
    TRANSCODE_AV1_PRESET: z.coerce.number().int().min(0).max(13).default(DEFAULT_AV1_PRESET),
    /** The codec families a job gets when its invocation names none, e.g. `h264,av1`. */
    TRANSCODE_CODECS: CodecFamiliesSetting.default([...DEFAULT_CODEC_FAMILIES]),
    TRANSCODE_SEGMENT_SECONDS: positiveInt.max(30).default(6),
    TRANSCODE_KEYFRAME_INTERVAL_SECONDS: positiveInt.max(10).default(2),
    TRANSCODE_MAX_FRAME_RATE: positiveInt.max(120).default(60),
    /** Time limit for one ffmpeg run (one rendition, the whole ladder, or a thumbnail pass). */
    TRANSCODE_TIMEOUT_SECONDS: positiveInt.default(4 * 3600),
    TRANSCODE_PROBE_TIMEOUT_SECONDS: positiveInt.default(60),
    /** Sources above 1440p longer than this are refused. */
    TRANSCODE_MAX_UHD_DURATION_SECONDS: positiveInt.default(
      DEFAULT_PROBE_LIMITS.maxUhdDurationSeconds,
    ),
    TRANSCODE_WORK_DIR: safeDirectory.default(tmpdir()),
    /** Comma-separated absolute directories local --source paths must be under. */
    TRANSCODE_SOURCE_DIRS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((dir) => dir.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine((dir) => path.isAbsolute(dir), 'each directory must be an absolute path'),
        ),
      ),
    /** Allows http:// sources on 127.0.0.1/localhost (all-in-one mode, tests); https is always allowed. */
    TRANSCODE_ALLOW_LOOPBACK_HTTP: z.stringbool().default(false),
    /** HDR → SDR curve (ffmpeg tonemap); mobius is the BT.2390-like knee, hable the filmic curve. */
    TRANSCODE_TONEMAP: z.enum(TONE_MAP_CURVES).default(DEFAULT_COLOUR_SETTINGS.toneMapCurve),
    /** Nominal peak (cd/m²) that linear light is measured against when linearising HDR. */
    TRANSCODE_TONEMAP_NPL: positiveInt
      .min(48)
      .max(10000)
      .default(DEFAULT_COLOUR_SETTINGS.nominalPeakNits),
    /** field: 1080i29.97 → 59.94p when TRANSCODE_MAX_FRAME_RATE allows; frame: → 29.97p. */
    TRANSCODE_DEINTERLACE_RATE: z.enum(['field', 'frame']).default('field'),
    /**
     * Each rendition's SSIM/PSNR against the source: `sampled` compares
     * TRANSCODE_QUALITY_SAMPLE_SECONDS of the title (three windows spread over it), `off` nothing.
     */
    TRANSCODE_QUALITY_METRICS: z.enum(['sampled', 'off']).default('sampled'),
    TRANSCODE_QUALITY_SAMPLE_SECONDS: positiveInt.max(600).default(6),
    /** Lifetime of the presigned GET made for --source-key. */
    TRANSCODE_SOURCE_URL_SECONDS: positiveInt.max(7 * 24 * 3600).default(6 * 3600),
  }),
).superRefine((env, ctx) => {
  if (env.TRANSCODE_SEGMENT_SECONDS % env.TRANSCODE_KEYFRAME_INTERVAL_SECONDS !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['TRANSCODE_SEGMENT_SECONDS'],
      message:
        'must be a whole multiple of TRANSCODE_KEYFRAME_INTERVAL_SECONDS, so segments start on keyframes',
    });
  }
});
export type TranscoderEnv = z.infer<typeof TranscoderEnv>;

export function toTranscoderSettings(env: TranscoderEnv): TranscoderSettings {
  return {
    ffmpegPath: env.FFMPEG_PATH,
    ffprobePath: env.FFPROBE_PATH,
    encoder: {
      preset: env.TRANSCODE_PRESET,
      av1Preset: env.TRANSCODE_AV1_PRESET,
      segmentSeconds: env.TRANSCODE_SEGMENT_SECONDS,
      rateControl: env.TRANSCODE_RATE_CONTROL,
    },
    codecs: env.TRANSCODE_CODECS,
    keyframeIntervalSeconds: env.TRANSCODE_KEYFRAME_INTERVAL_SECONDS,
    maxFrameRate: env.TRANSCODE_MAX_FRAME_RATE,
    colour: { toneMapCurve: env.TRANSCODE_TONEMAP, nominalPeakNits: env.TRANSCODE_TONEMAP_NPL },
    deinterlaceRate: env.TRANSCODE_DEINTERLACE_RATE,
    timeoutMs: env.TRANSCODE_TIMEOUT_SECONDS * 1000,
    probeTimeoutMs: env.TRANSCODE_PROBE_TIMEOUT_SECONDS * 1000,
    probeLimits: {
      ...DEFAULT_PROBE_LIMITS,
      maxUhdDurationSeconds: env.TRANSCODE_MAX_UHD_DURATION_SECONDS,
    },
    quality:
      env.TRANSCODE_QUALITY_METRICS === 'off'
        ? { mode: 'off' }
        : { mode: 'sampled', sampleSeconds: env.TRANSCODE_QUALITY_SAMPLE_SECONDS },
  };
}

export function toSourcePolicy(
  env: TranscoderEnv,
  extraRoots: readonly string[] = [],
): SourcePolicy {
  return {
    allowLoopbackHttp: env.TRANSCODE_ALLOW_LOOPBACK_HTTP,
    localRoots: [...env.TRANSCODE_SOURCE_DIRS, ...extraRoots],
  };
}
