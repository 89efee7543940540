import { describe, expect, it } from 'vitest';
import { firstLiveAt, lastProgress } from './pod-progress.ts';

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

describe('firstLiveAt', () => {
  it('is when the first rendition went live, whatever came after', () => {
    const log = [
      '{"job":"42","event":"progress","renditions":["720p"],"percent":1}',
      '{"job":"42","event":"rendition-live","rendition":"720p","publishedAt":"2026-12-03T10:00:05.000Z"}',
      '{"job":"42","event":"rendition-live","rendition":"360p","publishedAt":"2026-12-03T10:00:06.000Z"}',
      '{"job":"42","event":"progress","renditions":["720p"],"percent":30}',
    ].join('\n');
    expect(firstLiveAt(log)).toEqual(new Date('2026-12-03T10:00:05.000Z'));
  });

  it('has nothing to say before any segment is up', () => {
    expect(
      firstLiveAt('{"job":"42","event":"progress","renditions":[],"percent":3}'),
    ).toBeUndefined();
  });
});
