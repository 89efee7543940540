// What the transcoder benches share: the settings a bench encodes with, and one probe.
import {
  DEFAULT_AV1_PRESET,
  DEFAULT_COLOUR_SETTINGS,
  DEFAULT_PROBE_LIMITS,
  DEFAULT_RATE_CONTROL,
  probeSource,
  type RateControl,
  type SourceInput,
  type TranscoderSettings,
  type X264Preset,
} from '@videoforge/transcoder';
import type { MediaMetadata } from '@videoforge/contracts';

export interface BenchEncoderChoice {
  preset: X264Preset;
  av1Preset?: number;
  rateControl?: RateControl;
  /** Measured quality after each encode; off unless a bench measures it. */
  quality?: TranscoderSettings['quality'];
}

/** The transcoder's defaults with a bench's own preset, AV1 preset and rate control. */
export function benchTranscoderSettings(choice: BenchEncoderChoice): TranscoderSettings {
  return {
    ffmpegPath: 'ffmpeg',
    ffprobePath: 'ffprobe',
    quality: choice.quality ?? { mode: 'off' },
    encoder: {
      preset: choice.preset,
      av1Preset: choice.av1Preset ?? DEFAULT_AV1_PRESET,
      segmentSeconds: 6,
      rateControl: choice.rateControl ?? DEFAULT_RATE_CONTROL,
    },
    codecs: ['h264'],
    keyframeIntervalSeconds: 2,
    maxFrameRate: 60,
    colour: DEFAULT_COLOUR_SETTINGS,
    deinterlaceRate: 'field',
    timeoutMs: 3_600_000,
    probeTimeoutMs: 60_000,
    probeLimits: DEFAULT_PROBE_LIMITS,
  };
}

/** Probes a generated local file as the transcoder would; a bench source that fails to probe is a bug. */
export async function probeBenchSource(
  file: string,
): Promise<{ source: SourceInput; metadata: MediaMetadata }> {
  const source: SourceInput = { kind: 'file', path: file, protocols: ['file'] };
  const probed = await probeSource(source, {
    ffprobePath: 'ffprobe',
    timeoutMs: 60_000,
    limits: DEFAULT_PROBE_LIMITS,
  });
  if (!probed.ok) throw new Error(probed.reason.message);
  return { source, metadata: probed.metadata };
}
