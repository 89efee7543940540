import type { Video } from '@videoforge/contracts';

/** A video as the API returns it (ready, 8 s of 720p H.264 + AAC), with `overrides`, for tests. */
export function aVideo(overrides: Partial<Video> = {}): Video {
  // Playable as the API derives it: a processing video is not, unless said otherwise.
  const playable = (overrides.status ?? 'ready') === 'ready' || overrides.status === 'playable';
  return {
    id: '1',
    ownerId: '1',
    ownerName: 'alice',
    title: 'Video 1',
    description: '',
    visibility: 'public',
    status: 'ready',
    originalFilename: 'clip.mp4',
    durationSeconds: 8,
    width: 1280,
    height: 720,
    frameRate: 30,
    videoCodec: 'h264',
    audioCodec: 'aac',
    bitRate: 1_000_000,
    fileSize: 1_000_000,
    playable,
    playableAt: playable ? '2026-01-01T00:00:00.000Z' : null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
