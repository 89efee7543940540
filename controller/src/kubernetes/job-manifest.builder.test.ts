import { describe, expect, it } from 'vitest';
import type { TranscodeJobSpec } from '@videoforge/contracts';
import { transcoderArgs } from './job-manifest.builder.ts';

const PREFIX = 'videos/output/42/';
const spec: TranscodeJobSpec = {
  jobId: '42',
  videoId: '17',
  source: { bucket: 'video-forge-storage', key: 'videos/raw/1/a/clip.mp4' },
  renditions: [{ name: '720p', height: 720, videoBitrate: '2000k' }],
  outputPrefix: 'videos/output/42/',
  priority: 0,
  maxRetries: 2,
  strategy: 'perRendition',
};

describe('transcoderArgs', () => {
  it('passes --hdr to the workloads that encode when spec.hdr asks for the HDR set', () => {
    const rendition = {
      type: 'rendition' as const,
      name: 'job-42-720p',
      rendition: { name: '720p', height: 720, videoBitrate: '2000k' },
    };
    expect(transcoderArgs({ ...spec, hdr: true }, '42', PREFIX, rendition)).toContain('--hdr');
    expect(transcoderArgs(spec, '42', PREFIX, rendition)).not.toContain('--hdr');
    const ladder = { type: 'ladder' as const, name: 'job-42-ladder', renditions: spec.renditions };
    expect(transcoderArgs({ ...spec, hdr: true }, '42', PREFIX, ladder)).toContain('--hdr');
    const finalize = { type: 'finalize' as const, name: 'job-42-finalize', renditions: ['720p'] };
    expect(transcoderArgs({ ...spec, hdr: true }, '42', PREFIX, finalize)).not.toContain('--hdr');
  });
});
