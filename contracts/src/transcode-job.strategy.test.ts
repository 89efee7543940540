import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_MIN_SECONDS, resolveStrategy } from './transcode-job.resource.ts';

const cluster = (durationSeconds?: number, maxParallel = 4) => ({
  runsChunks: true,
  chunkMinSeconds: DEFAULT_CHUNK_MIN_SECONDS,
  chunking: durationSeconds === undefined ? { maxParallel } : { maxParallel, durationSeconds },
});

describe('resolveStrategy', () => {
  it('chunks a title of ten minutes or more that asked for auto, where chunks spread', () => {
    expect(resolveStrategy('auto', 'perRendition', cluster(600))).toBe('chunked');
    expect(resolveStrategy('auto', 'ladder', cluster(7200))).toBe('chunked');
  });

  it('runs a shorter or unmeasured title as the configured auto strategy', () => {
    expect(resolveStrategy('auto', 'perRendition', cluster(599))).toBe('perRendition');
    expect(resolveStrategy('auto', 'ladder', cluster(undefined))).toBe('ladder');
  });

  it('does not chunk on one machine, with one chunk allowed, or for an HDR set', () => {
    expect(resolveStrategy('auto', 'ladder', { ...cluster(3600), runsChunks: false })).toBe(
      'ladder',
    );
    expect(resolveStrategy('auto', 'perRendition', cluster(3600, 1))).toBe('perRendition');
    expect(resolveStrategy('auto', 'perRendition', { ...cluster(3600), hdr: true })).toBe(
      'perRendition',
    );
  });

  it('keeps what the job asked for; a chunked job on one machine runs as the ladder', () => {
    expect(resolveStrategy('perRendition', 'ladder', cluster(3600))).toBe('perRendition');
    expect(resolveStrategy('chunked', 'ladder', { runsChunks: false })).toBe('ladder');
    expect(resolveStrategy('chunked', 'perRendition', cluster(10))).toBe('chunked');
  });
});
