import { describe, expect, it } from 'vitest';
import type { Job } from '@videoforge/contracts';
import { applyJobEvent, isPlayable } from './jobs.ts';

const job: Job = {
  id: '5',
  videoId: '3',
  status: 'running',
  progress: 10,
  formats: ['720p', '360p'],
  errorMessage: null,
  attempts: 0,
  renditions: [],
  playable: false,
  playableAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  completedAt: null,
};

describe('job events', () => {
  it('applies progress and per-rendition state to the matching job only', () => {
    const renditions = [
      { name: '720p', phase: 'running' as const, progress: 40 },
      { name: '360p', phase: 'succeeded' as const, progress: 100 },
    ];
    const next = applyJobEvent(job, {
      jobId: '5',
      videoId: '3',
      status: 'running',
      progress: 70,
      renditions,
    });
    expect(next).toMatchObject({ progress: 70, renditions });
    expect(isPlayable(job)).toBe(false);
    expect(isPlayable(next)).toBe(true);
    expect(applyJobEvent(job, { jobId: '6', videoId: '3', status: 'failed', progress: 0 })).toBe(
      job,
    );
  });

  it('keeps known renditions when an event has none, and records a failure reason', () => {
    const withRenditions = {
      ...job,
      renditions: [{ name: '720p', phase: 'running' as const, progress: 5 }],
    };
    const failed = applyJobEvent(withRenditions, {
      jobId: '5',
      videoId: '3',
      status: 'failed',
      progress: 20,
      error: 'ffmpeg exited with code 1',
    });
    expect(failed).toMatchObject({
      status: 'failed',
      errorMessage: 'ffmpeg exited with code 1',
      renditions: withRenditions.renditions,
    });
  });
});
