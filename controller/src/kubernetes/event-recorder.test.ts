import { describe, expect, it } from 'vitest';
import { aggregateEvents } from './event-recorder.ts';

describe('aggregateEvents', () => {
  it('writes one Event per reason of a pass, naming every workload it is about', () => {
    const events = aggregateEvents([
      { type: 'Normal', reason: 'Created', message: 'started tracks workload tj-a-tracks' },
      { type: 'Normal', reason: 'Created', message: 'started rendition workload tj-a-720p' },
      { type: 'Warning', reason: 'BadInput', message: 'no video stream' },
    ]);
    expect(events).toEqual([
      {
        type: 'Normal',
        reason: 'Created',
        message: 'started tracks workload tj-a-tracks; started rendition workload tj-a-720p',
      },
      { type: 'Warning', reason: 'BadInput', message: 'no video stream' },
    ]);
  });

  it('keeps a long aggregate within what the API server shows', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({
      type: 'Normal' as const,
      reason: 'Created',
      message: `started rendition workload tj-a-rendition-${i}`,
    }));
    const [event] = aggregateEvents(many);
    expect(event?.message.length).toBeLessThanOrEqual(1024);
    expect(event?.message).toMatch(/^started rendition workload tj-a-rendition-0; /);
  });
});
