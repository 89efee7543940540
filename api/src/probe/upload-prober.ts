import type { MediaMetadata, ProbeRefusalCode } from '@videoforge/contracts';
import { probeMedia, urlSource, type MediaProbe } from '@videoforge/platform/media';

export type ProbeOutcome =
  | { ok: true; metadata: MediaMetadata }
  /** The file is not a usable video. */
  | { ok: false; retryable: false; code: ProbeRefusalCode; message: string }
  /** The file could not be read just now (storage, network, time limit): not its fault. */
  | { ok: false; retryable: true; message: string };

export interface ProbeSettings {
  ffprobePath: string;
  timeoutMs: number;
}

/** Probes a (presigned) URL: ffprobe reads the header with ranged requests, never the whole file. */
export type Prober = (url: string) => Promise<ProbeOutcome>;

/**
 * The upload check over the platform's probe (no shell; only the protocols the presigned
 * URL needs and container demuxers, so a playlist renamed .mp4 cannot make the API fetch
 * internal addresses on its behalf; a time limit). Size and duration limits are the
 * transcoder's; here the question is only "is this a video at all".
 */
export function createFfprobeProber(settings: ProbeSettings): Prober {
  return async (url) => toOutcome(await probeMedia(urlSource(url), settings));
}

/**
 * ffprobe's own words can quote the presigned URL, so a failure that is not the file's
 * fault gets a fixed message.
 */
function toOutcome(probe: MediaProbe): ProbeOutcome {
  if (probe.ok) return { ok: true, metadata: probe.metadata };
  const { reason } = probe;
  switch (reason.kind) {
    case 'bad-input':
      return { ok: false, retryable: false, code: reason.code, message: reason.message };
    case 'transient':
      return {
        ok: false,
        retryable: true,
        message: probe.timedOut ? 'probing the file timed out' : 'the file could not be read',
      };
  }
}
