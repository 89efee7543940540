import { describe, expect, it } from 'vitest';
import { OwnWrites } from './own-writes.ts';

const object = (uid: string, resourceVersion: string) => ({ metadata: { uid, resourceVersion } });

describe('OwnWrites', () => {
  it('recognises the watch event of our own write once, and no later change', () => {
    const writes = new OwnWrites();
    writes.wrote(object('tj-a', '7'), object('tj-a', '6'));
    expect(writes.isEcho(object('tj-a', '7'))).toBe(true);
    // Someone else's change after ours is reconciled.
    expect(writes.isEcho(object('tj-a', '8'))).toBe(false);
    expect(writes.size).toBe(0);
  });

  it('remembers nothing when the echo came before the response', () => {
    const writes = new OwnWrites();
    writes.wrote(object('tj-a', '7'), object('tj-a', '7'));
    expect(writes.size).toBe(0);
    expect(writes.isEcho(object('tj-a', '7'))).toBe(false);
  });

  it('forgets an object that is gone', () => {
    const writes = new OwnWrites();
    writes.wrote(object('job-a', '3'), undefined);
    writes.forget(object('job-a', '4'));
    expect(writes.size).toBe(0);
  });
});
