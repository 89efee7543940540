import { describe, expect, it } from 'vitest';
import { lastFailure } from './pod-failure.ts';

describe('lastFailure', () => {
  it("reads the transcoder's typed reason from a termination message's log tail", () => {
    const tail = [
      '{"level":50,"msg":"probe refused the source"}',
      JSON.stringify({
        job: '7',
        event: 'failed',
        kind: 'bad-input',
        code: 'unreadable',
        message: 'not a recognised video file',
      }),
      'a plain log line',
    ].join('\n');
    expect(lastFailure(tail)).toBe('bad-input unreadable: not a recognised video file');
    expect(lastFailure('exit 2\n{"not":"an event"}')).toBeUndefined();
  });
});
