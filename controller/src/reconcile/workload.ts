import {
  isTwinVariant,
  type Chunk,
  type RenditionQuality,
  type RenditionSpec,
  type TwinQuality,
  type VideoProcessing,
} from '@videoforge/contracts';

/**
 * What the reconciler asks a runtime to run. The Kubernetes runtime turns it into a
 * batch/v1 Job; the local runtime into a child process. Both honour `maxRetries` the
 * same way: a transient failure (exit 1) is retried, bad input (exit 2) never is.
 */
export type WorkloadRequest =
  | { type: 'rendition'; name: string; rendition: RenditionSpec }
  | { type: 'ladder'; name: string; renditions: RenditionSpec[] }
  /**
   * Per-rendition strategy only: every audio track (encoded once, shared by every rendition)
   * and text subtitle. The ladder strategy encodes them in its own ffmpeg run.
   */
  | { type: 'tracks'; name: string; audioBitrate?: string }
  /** Chunked strategy: every rendition's video for whole segments of the timeline. */
  | {
      type: 'chunk';
      name: string;
      chunk: Chunk;
      segmentSeconds: number;
      renditions: RenditionSpec[];
    }
  /** Chunked strategy, once every chunk is done: the chunks' segment lists joined per rendition. */
  | { type: 'stitch'; name: string; chunks: number; renditions: RenditionSpec[] }
  | { type: 'finalize'; name: string; renditions: string[] };

export type WorkloadType = WorkloadRequest['type'];

/** Why a workload failed: bad input is terminal; transient means retries ran out; deadline: too slow. */
export type WorkloadFailureKind = 'bad-input' | 'transient' | 'deadline' | 'unknown';

/** How a runtime reports a workload it owns, read from the world on every pass. */
export interface ObservedWorkload {
  name: string;
  type: WorkloadType;
  /** The renditions it produces (empty for finalize). */
  renditions: string[];
  state: 'active' | 'succeeded' | 'failed';
  /** Why it failed: bad input is terminal; transient means retries ran out; deadline: too slow. */
  failure?: { kind: WorkloadFailureKind; message: string };
  /** Attempts started so far (pods, or local process starts). */
  attempts: number;
  /** 0..100 as last reported by the transcoder. */
  progress?: number;
  /**
   * Its progress is read by polling (a Kubernetes pod's log), so no event will say when
   * it moves: the reconciler asks to look again. Local workloads push their progress.
   */
  progressPolled?: boolean;
  startedAt?: Date;
  completedAt?: Date;
  /** When its first rendition had its first segments in storage (its `rendition-live` event). */
  liveAt?: Date;
  /** What the transcoder reported doing to the picture (from its rendition-uploaded event). */
  processing?: VideoProcessing;
  /** Measured SSIM/PSNR by rendition name (from its rendition-quality events). */
  quality?: Record<string, RenditionQuality>;
  /** Its twins' measured SSIM/PSNR by rendition name (rendition-quality events naming a twin). */
  twinQuality?: Record<string, TwinQuality[]>;
}

/** What a runtime has read of a workload's measured quality so far. */
export type MeasuredQuality = Pick<ObservedWorkload, 'quality' | 'twinQuality'>;

/**
 * One `rendition-quality` event added to what was read before: the rendition's own
 * figure when it names no variant or the rendition itself, else its twin's (a later
 * figure for the same variant replaces the earlier one).
 */
export function withQualityEvent(
  measured: MeasuredQuality,
  event: { rendition: string; variant?: string | undefined; quality: RenditionQuality },
): MeasuredQuality {
  const { rendition, variant, quality } = event;
  if (!variant || !isTwinVariant(variant))
    return { ...measured, quality: { ...measured.quality, [rendition]: quality } };
  const twins = (measured.twinQuality?.[rendition] ?? []).filter((t) => t.variant !== variant);
  return {
    ...measured,
    twinQuality: { ...measured.twinQuality, [rendition]: [...twins, { variant, quality }] },
  };
}
