import { describe, expect, it } from 'vitest';
import { lastProgress } from './pod-progress.ts';

describe('lastProgress', () => {
  it('takes the last progress event, skipping log lines and other events', () => {
    const log = [
      '{"job":"42","event":"progress","renditions":["720p"],"percent":12.5}',
      'some stderr-ish text',
      '{"job":"42","event":"progress","renditions":["720p"],"percent":47}',
      '{"not":"an event"}',
      '',
    ].join('\n');
    expect(lastProgress(log)).toBe(47);
  });

  it('has nothing to say about a log without progress', () => {
    expect(lastProgress('starting\n{"broken json\n')).toBeUndefined();
  });
});
