import type { MediaMetadata } from '@videoforge/contracts';

type VideoOverrides = Partial<MediaMetadata['video']>;

/** Test metadata: a 10 s 1920×1080 25 fps H.264 source with stereo audio, unless overridden. */
export function metadataFixture(
  video: VideoOverrides = {},
  rest: Partial<Omit<MediaMetadata, 'video'>> = {},
): MediaMetadata {
  const codedWidth = video.codedWidth ?? video.displayWidth ?? 1920;
  const codedHeight = video.codedHeight ?? video.displayHeight ?? 1080;
  return {
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSeconds: 10,
    audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48000, bitRateKbps: 128 },
    ...rest,
    video: {
      index: 0,
      codec: 'h264',
      codedWidth,
      codedHeight,
      sampleAspectRatio: { num: 1, den: 1 },
      rotation: 0,
      displayWidth: codedWidth,
      displayHeight: codedHeight,
      frameRate: { num: 25, den: 1 },
      averageFrameRate: { num: 25, den: 1 },
      variableFrameRate: false,
      ...video,
    },
  };
}
