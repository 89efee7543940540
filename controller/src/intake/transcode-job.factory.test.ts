import { describe, expect, it } from 'vitest';
import { TranscodeJobSpec } from '@videoforge/contracts';
import { transcodeJobFor, type JobRow } from './transcode-job.factory.ts';

const row: JobRow = {
  id: '42',
  video_id: '7',
  formats: ['720p'],
  strategy: 'auto',
  hdr: false,
  codecs: null,
  input_key: 'videos/raw/1/a/clip.mp4',
  output_prefix: 'videos/output/42/',
  status: 'pending',
};
const options = { namespace: 'videoforge', bucket: 'video-forge-storage' };

describe('transcodeJobFor: codec families', () => {
  it('copies the families a job asked for into spec.codecs', () => {
    const { spec } = transcodeJobFor({ ...row, codecs: ['h264', 'av1'] }, options);
    expect(spec.codecs).toEqual(['h264', 'av1']);
    expect(TranscodeJobSpec.parse(spec)).toEqual(spec);
  });

  it('gives a job that named none the server default, and writes no codecs for H.264 alone', () => {
    expect(
      transcodeJobFor(row, { ...options, defaultCodecs: ['h264', 'hevc'] }).spec.codecs,
    ).toEqual(['h264', 'hevc']);
    expect(transcodeJobFor(row, options).spec).not.toHaveProperty('codecs');
    expect(transcodeJobFor({ ...row, codecs: ['h264'] }, options).spec).not.toHaveProperty(
      'codecs',
    );
  });
});

describe('transcodeJobFor: the duration strategy auto decides from', () => {
  it("writes the video's probed duration and the chunk limit into spec.chunking", () => {
    const { spec } = transcodeJobFor(
      { ...row, duration_seconds: 754.3 },
      { ...options, chunkMaxParallel: 8 },
    );
    expect(spec.chunking).toEqual({ maxParallel: 8, durationSeconds: 754.3 });
    expect(spec.strategy).toBe('auto');
    expect(TranscodeJobSpec.parse(spec)).toEqual(spec);
  });

  it('writes no chunking when the duration is unknown', () => {
    expect(transcodeJobFor({ ...row, duration_seconds: null }, options).spec).not.toHaveProperty(
      'chunking',
    );
  });
});
