import type { ProbeRefusalCode } from '@videoforge/contracts';
import { interpretFfprobe, type ProbedMedia, type ProbeResult } from '@videoforge/platform/media';

export interface ProbeLimits {
  /** Largest accepted width or height. */
  maxDimension: number;
  minDimension: number;
  minDurationSeconds: number;
  /** Longest accepted source bigger than 1440p ("4K-class"). */
  maxUhdDurationSeconds: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = {
  maxDimension: 8192,
  minDimension: 16,
  minDurationSeconds: 0.25,
  maxUhdDurationSeconds: 3600,
};

/** Sources with more pixels than 2560×1440 count as 4K-class for the duration limit. */
const UHD_PIXELS = 2560 * 1440;

const refuse = (code: ProbeRefusalCode, message: string): ProbeResult => ({
  ok: false,
  reason: { kind: 'bad-input', code, message },
});

/**
 * The transcoder's source policy over a probed header: what it is willing to encode
 * (sizes, durations, how much 4K). The probe itself (platform) only says whether this
 * is a video at all.
 */
export function checkProbeLimits(probed: ProbedMedia, limits: ProbeLimits): ProbeResult {
  const { metadata } = probed;
  const { video, durationSeconds: duration } = metadata;
  if (duration < limits.minDurationSeconds || probed.videoFrameCount === 1) {
    return refuse(
      'too-short',
      `the video is ${duration.toFixed(2)} s long; at least ${limits.minDurationSeconds} s and two frames are needed`,
    );
  }
  const largest = Math.max(
    video.codedWidth,
    video.codedHeight,
    video.displayWidth,
    video.displayHeight,
  );
  if (largest > limits.maxDimension) {
    return refuse(
      'dimensions-too-large',
      `the video is ${video.displayWidth}×${video.displayHeight}; the largest accepted dimension is ${limits.maxDimension} pixels`,
    );
  }
  if (Math.min(video.displayWidth, video.displayHeight) < limits.minDimension) {
    return refuse(
      'dimensions-too-small',
      `the video is ${video.displayWidth}×${video.displayHeight}; the smallest accepted dimension is ${limits.minDimension} pixels`,
    );
  }
  if (
    video.displayWidth * video.displayHeight > UHD_PIXELS &&
    duration > limits.maxUhdDurationSeconds
  ) {
    return refuse(
      'uhd-too-long',
      `the video is ${video.displayWidth}×${video.displayHeight} and ${formatDuration(duration)} long; ` +
        `sources above 1440p may be at most ${formatDuration(limits.maxUhdDurationSeconds)} (TRANSCODE_MAX_UHD_DURATION_SECONDS)`,
    );
  }
  return { ok: true, metadata };
}

/** Turns ffprobe's JSON into metadata, or says why this is not a video we accept. */
export function interpretProbe(json: unknown, limits: ProbeLimits): ProbeResult {
  const header = interpretFfprobe(json);
  return header.ok ? checkProbeLimits(header, limits) : header;
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/**
 * Truncation a probe cannot see: a faststart MP4 cut short still declares its full
 * duration. Given the video packet timestamps read from just before the declared end,
 * a file whose data stops early has none there. The last frame is shown for one frame
 * interval, which for a slide-show-like source can be long.
 */
export function assessTail(
  packetTimes: readonly number[],
  expectedEndSeconds: number,
  frameSeconds: number,
): ProbeResult | undefined {
  const last = packetTimes.length > 0 ? Math.max(...packetTimes) : undefined;
  const tolerance = Math.max(2, expectedEndSeconds * 0.02) + frameSeconds;
  if (last === undefined || last < expectedEndSeconds - tolerance) {
    const at = last === undefined ? 'well before its end' : `at ${last.toFixed(1)} s`;
    return refuse(
      'truncated',
      `the file is truncated: its video stops ${at} but it declares ${expectedEndSeconds.toFixed(1)} s`,
    );
  }
  return undefined;
}
