import { describe, expect, it } from 'vitest';
import type { Job, Video } from '@videoforge/contracts';
import {
  initialUploadState,
  isCancellable,
  uploadProgress,
  uploadReducer,
  type UploadEvent,
  type UploadState,
} from './upload-machine.ts';

const file = { name: 'clip.mp4', size: 1000, type: 'video/mp4' };
const run = (events: UploadEvent[], from: UploadState = initialUploadState) =>
  events.reduce(uploadReducer, from);
const video = { id: '1', title: 'clip' } as Video;
const job = { id: '2', videoId: '1', status: 'pending' } as Job;

const uploading: UploadEvent[] = [
  { type: 'select', file },
  { type: 'start', at: 0 },
  { type: 'created', uploadId: 'u1', partSizes: [400, 400, 200] },
];

describe('upload state machine', () => {
  it('walks the happy path: select → uploading → completing → processing', () => {
    let state = run([{ type: 'select', file }]);
    expect(state).toMatchObject({ phase: 'selected', probe: { status: 'pending' } });
    state = run(
      [{ type: 'probed', probe: { width: 1280, height: 720, durationSeconds: 8 } }],
      state,
    );
    expect(state).toMatchObject({ probe: { status: 'done', probe: { height: 720 } } });
    state = run(uploading.slice(1), state);
    expect(state).toMatchObject({ phase: 'uploading', uploadId: 'u1', partSent: [0, 0, 0] });
    expect(isCancellable(state)).toBe(true);
    state = run(
      [
        { type: 'part-done', partNumber: 1, at: 100 },
        { type: 'part-done', partNumber: 3, at: 200 },
        { type: 'part-done', partNumber: 2, at: 300 },
        { type: 'parts-done' },
      ],
      state,
    );
    expect(state).toEqual({
      phase: 'completing',
      file,
      probe: { status: 'done', probe: { width: 1280, height: 720, durationSeconds: 8 } },
      uploadId: 'u1',
    });
    state = run([{ type: 'completed', video, job }], state);
    expect(state).toMatchObject({ phase: 'processing', video, job });
    expect(isCancellable(state)).toBe(false);
  });

  it('adds up parallel parts into one progress bar with speed and time left', () => {
    const state = run([
      ...uploading,
      { type: 'progress', partNumber: 1, loaded: 200, at: 500 },
      { type: 'progress', partNumber: 2, loaded: 100, at: 700 },
      { type: 'progress', partNumber: 1, loaded: 400, at: 1000 },
    ]);
    const progress = uploadProgress(state);
    expect(progress).toMatchObject({ sentBytes: 500, totalBytes: 1000, fraction: 0.5 });
    // 500 bytes in the 1 s since start → 500 B/s, 500 B left → 1 s.
    expect(progress?.bytesPerSecond).toBeCloseTo(500);
    expect(progress?.etaSeconds).toBeCloseTo(1);
  });

  it('measures speed over the last five seconds only', () => {
    const state = run([
      ...uploading,
      { type: 'progress', partNumber: 1, loaded: 400, at: 1000 },
      { type: 'progress', partNumber: 2, loaded: 100, at: 8000 },
      { type: 'progress', partNumber: 2, loaded: 300, at: 10_000 },
    ]);
    // Samples older than 5 s before the last are dropped: 200 bytes over 2 s.
    expect(uploadProgress(state)?.bytesPerSecond).toBeCloseTo(100);
  });

  it('has no speed until a quarter second has been measured', () => {
    const state = run([...uploading, { type: 'progress', partNumber: 1, loaded: 10, at: 100 }]);
    expect(uploadProgress(state)).toMatchObject({
      bytesPerSecond: undefined,
      etaSeconds: undefined,
    });
  });

  it('clamps a part’s progress to its size and forgets a failed attempt’s bytes on retry', () => {
    let state = run([...uploading, { type: 'progress', partNumber: 2, loaded: 9999, at: 10 }]);
    expect(uploadProgress(state)?.sentBytes).toBe(400);
    state = run([{ type: 'part-retry', partNumber: 2, attempt: 1 }], state);
    expect(uploadProgress(state)?.sentBytes).toBe(0);
    expect(state).toMatchObject({ retries: 1 });
  });

  it('ignores progress for unknown parts and events that arrive after cancel', () => {
    let state = run([...uploading, { type: 'progress', partNumber: 9, loaded: 10, at: 10 }]);
    expect(uploadProgress(state)?.sentBytes).toBe(0);
    state = run([{ type: 'cancel' }], state);
    expect(state).toEqual({ phase: 'cancelled', file, probe: { status: 'pending' } });
    const after = run(
      [
        { type: 'progress', partNumber: 1, loaded: 100, at: 20 },
        { type: 'parts-done' },
        { type: 'failed', stage: 'upload', message: 'aborted' },
        { type: 'completed', video, job },
      ],
      state,
    );
    expect(after).toBe(state);
    expect(isCancellable(after)).toBe(false);
  });

  it('fails with the stage and code, and retry returns to the selected file', () => {
    let state = run([
      ...uploading,
      { type: 'part-done', partNumber: 1, at: 1 },
      { type: 'part-done', partNumber: 2, at: 1 },
      { type: 'part-done', partNumber: 3, at: 1 },
      { type: 'parts-done' },
      { type: 'failed', stage: 'complete', message: 'not a video', code: 'not_a_video' },
    ]);
    expect(state).toMatchObject({ phase: 'failed', stage: 'complete', code: 'not_a_video' });
    expect(uploadProgress(state)).toBeUndefined();
    state = run([{ type: 'retry' }], state);
    expect(state).toMatchObject({ phase: 'selected', file });
  });

  it('does not let a new file or a second start interrupt a running upload', () => {
    const state = run(uploading);
    expect(run([{ type: 'select', file: { ...file, name: 'other.mp4' } }], state)).toBe(state);
    expect(run([{ type: 'start', at: 5 }], state)).toBe(state);
    expect(run([{ type: 'created', uploadId: 'u2', partSizes: [1] }], state)).toBe(state);
  });

  it('does not complete before the upload exists', () => {
    const state = run([
      { type: 'select', file },
      { type: 'start', at: 0 },
    ]);
    expect(run([{ type: 'parts-done' }], state)).toBe(state);
  });

  it('records a probe the browser could not make, once', () => {
    let state = run([
      { type: 'select', file },
      { type: 'probe-unavailable', reason: 'mkv' },
    ]);
    expect(state).toMatchObject({ probe: { status: 'unavailable', reason: 'mkv' } });
    state = run([{ type: 'probed', probe: { width: 1, height: 1, durationSeconds: 1 } }], state);
    expect(state).toMatchObject({ probe: { status: 'unavailable' } });
  });

  it('resets to idle from anywhere', () => {
    expect(run([...uploading, { type: 'reset' }])).toEqual(initialUploadState);
  });
});
