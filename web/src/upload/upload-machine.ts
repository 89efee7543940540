import type { Job, Video } from '@videoforge/contracts';

/**
 * The upload page's state machine: a pure reducer (no I/O, no clock of its own) so every
 * transition is a unit test. The side effects live in multipart-upload.ts, which only
 * dispatches these events.
 *
 *   idle ─select→ selected ─start→ uploading ─parts-done→ completing ─completed→ processing
 *                     ↑               │  ↑ progress / part-retry      │
 *                     │               ├──────── failed ───────────────┴→ failed ─retry→ selected
 *                     └─ select ──────┴──────── cancel ─────────────────→ cancelled
 */

export interface SelectedFile {
  name: string;
  size: number;
  type: string;
}

/** What the browser could read from the file before uploading it. */
export interface ClientProbe {
  width: number;
  height: number;
  durationSeconds: number;
}

export type ProbeState =
  | { status: 'pending' }
  | { status: 'done'; probe: ClientProbe }
  | { status: 'unavailable'; reason: string };

export interface Sample {
  at: number;
  sentBytes: number;
}

export type FailureStage = 'create' | 'upload' | 'complete';

export type UploadState =
  | { phase: 'idle' }
  | { phase: 'selected'; file: SelectedFile; probe: ProbeState }
  | {
      phase: 'uploading';
      file: SelectedFile;
      probe: ProbeState;
      uploadId: string | undefined;
      /** Size of each part, by index (part number − 1). */
      partSizes: number[];
      /** Bytes of each part acknowledged so far in its current attempt. */
      partSent: number[];
      partsDone: number;
      retries: number;
      startedAt: number;
      samples: Sample[];
    }
  | { phase: 'completing'; file: SelectedFile; probe: ProbeState; uploadId: string }
  | { phase: 'processing'; file: SelectedFile; video: Video; job: Job }
  | {
      phase: 'failed';
      file: SelectedFile;
      probe: ProbeState;
      stage: FailureStage;
      message: string;
      /** The API's error code, e.g. not_a_video. */
      code: string | undefined;
    }
  | { phase: 'cancelled'; file: SelectedFile; probe: ProbeState };

export type UploadEvent =
  | { type: 'select'; file: SelectedFile }
  | { type: 'probed'; probe: ClientProbe }
  | { type: 'probe-unavailable'; reason: string }
  | { type: 'start'; at: number }
  | { type: 'created'; uploadId: string; partSizes: number[] }
  | { type: 'progress'; partNumber: number; loaded: number; at: number }
  | { type: 'part-done'; partNumber: number; at: number }
  | { type: 'part-retry'; partNumber: number; attempt: number }
  | { type: 'parts-done' }
  | { type: 'completed'; video: Video; job: Job }
  | { type: 'failed'; stage: FailureStage; message: string; code?: string | undefined }
  | { type: 'cancel' }
  | { type: 'retry' }
  | { type: 'reset' };

export const initialUploadState: UploadState = { phase: 'idle' };

/** Speed is measured over this trailing window. */
export const SPEED_WINDOW_MS = 5000;

function sent(partSent: readonly number[]): number {
  return partSent.reduce((sum, bytes) => sum + bytes, 0);
}

function withSample(samples: readonly Sample[], sample: Sample): Sample[] {
  const kept = samples.filter((s) => sample.at - s.at <= SPEED_WINDOW_MS);
  return [...kept, sample];
}

export function uploadReducer(state: UploadState, event: UploadEvent): UploadState {
  switch (event.type) {
    case 'select':
      // A new file replaces a finished, failed or cancelled one, never a running upload.
      if (state.phase === 'uploading' || state.phase === 'completing') return state;
      return { phase: 'selected', file: event.file, probe: { status: 'pending' } };
    case 'probed':
    case 'probe-unavailable': {
      if (state.phase !== 'selected' && state.phase !== 'uploading' && state.phase !== 'failed')
        return state;
      if (state.probe.status !== 'pending') return state;
      const probe: ProbeState =
        event.type === 'probed'
          ? { status: 'done', probe: event.probe }
          : { status: 'unavailable', reason: event.reason };
      return { ...state, probe };
    }
    case 'start':
      if (state.phase !== 'selected') return state;
      return {
        phase: 'uploading',
        file: state.file,
        probe: state.probe,
        uploadId: undefined,
        partSizes: [],
        partSent: [],
        partsDone: 0,
        retries: 0,
        startedAt: event.at,
        samples: [{ at: event.at, sentBytes: 0 }],
      };
    case 'created':
      if (state.phase !== 'uploading' || state.uploadId !== undefined) return state;
      return {
        ...state,
        uploadId: event.uploadId,
        partSizes: event.partSizes,
        partSent: event.partSizes.map(() => 0),
      };
    case 'progress':
    case 'part-done': {
      if (state.phase !== 'uploading') return state;
      const index = event.partNumber - 1;
      const size = state.partSizes[index];
      if (size === undefined) return state;
      const loaded = event.type === 'part-done' ? size : Math.min(Math.max(event.loaded, 0), size);
      const partSent = state.partSent.map((bytes, i) => (i === index ? loaded : bytes));
      return {
        ...state,
        partSent,
        partsDone: state.partsDone + (event.type === 'part-done' ? 1 : 0),
        samples: withSample(state.samples, { at: event.at, sentBytes: sent(partSent) }),
      };
    }
    case 'part-retry': {
      if (state.phase !== 'uploading') return state;
      const index = event.partNumber - 1;
      // The failed attempt's bytes no longer count.
      return {
        ...state,
        partSent: state.partSent.map((bytes, i) => (i === index ? 0 : bytes)),
        retries: state.retries + 1,
      };
    }
    case 'parts-done':
      if (state.phase !== 'uploading' || state.uploadId === undefined) return state;
      return {
        phase: 'completing',
        file: state.file,
        probe: state.probe,
        uploadId: state.uploadId,
      };
    case 'completed':
      if (state.phase !== 'completing') return state;
      return { phase: 'processing', file: state.file, video: event.video, job: event.job };
    case 'failed':
      if (state.phase !== 'uploading' && state.phase !== 'completing') return state;
      return {
        phase: 'failed',
        file: state.file,
        probe: state.probe,
        stage: event.stage,
        message: event.message,
        code: event.code,
      };
    case 'cancel':
      if (state.phase !== 'uploading' && state.phase !== 'completing' && state.phase !== 'selected')
        return state;
      return { phase: 'cancelled', file: state.file, probe: state.probe };
    case 'retry':
      if (state.phase !== 'failed' && state.phase !== 'cancelled') return state;
      return { phase: 'selected', file: state.file, probe: state.probe };
    case 'reset':
      return initialUploadState;
  }
}

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  /** 0..1 */
  fraction: number;
  /** Over the last few seconds; undefined until there is enough to measure. */
  bytesPerSecond: number | undefined;
  etaSeconds: number | undefined;
}

/** One progress bar's worth: bytes sent across all parts, speed and time left. */
export function uploadProgress(state: UploadState): UploadProgress | undefined {
  switch (state.phase) {
    case 'uploading': {
      const totalBytes = state.file.size;
      const sentBytes = sent(state.partSent);
      const first = state.samples[0];
      const last = state.samples.at(-1);
      const elapsed = first && last ? last.at - first.at : 0;
      const bytesPerSecond =
        first && last && elapsed >= 250
          ? ((last.sentBytes - first.sentBytes) * 1000) / elapsed
          : undefined;
      const remaining = Math.max(totalBytes - sentBytes, 0);
      return {
        sentBytes,
        totalBytes,
        fraction: totalBytes > 0 ? Math.min(sentBytes / totalBytes, 1) : 0,
        bytesPerSecond,
        etaSeconds:
          bytesPerSecond && bytesPerSecond > 0
            ? remaining / bytesPerSecond
            : remaining === 0
              ? 0
              : undefined,
      };
    }
    case 'completing':
    case 'processing':
      return {
        sentBytes: state.file.size,
        totalBytes: state.file.size,
        fraction: 1,
        bytesPerSecond: undefined,
        etaSeconds: 0,
      };
    case 'idle':
    case 'selected':
    case 'failed':
    case 'cancelled':
      return undefined;
  }
}

/** Whether a Cancel button makes sense. */
export function isCancellable(state: UploadState): boolean {
  return state.phase === 'uploading' || state.phase === 'completing';
}
