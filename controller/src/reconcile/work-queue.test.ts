import { describe, expect, it } from 'vitest';
import { WorkQueue, type Timers } from './work-queue.ts';

/** Timers that fire only when the test advances the clock. */
function fakeTimers() {
  let now = 0;
  const pending: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      pending.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const index = pending.findIndex((p) => p.id === id);
      if (index >= 0) pending.splice(index, 1);
    },
  };
  return {
    timers,
    delays: () => pending.map((p) => p.at - now),
    advance(ms: number) {
      now += ms;
      for (const due of pending.filter((p) => p.at <= now)) {
        pending.splice(pending.indexOf(due), 1);
        due.fn();
      }
    },
  };
}

describe('WorkQueue', () => {
  it('handles a key once however many times it was added while waiting', async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const queue = new WorkQueue({
      concurrency: 1,
      process: async (key) => {
        seen.push(key);
        if (key === 'ns/busy') await new Promise<void>((resolve) => (release = resolve));
      },
    });
    queue.add('ns/busy');
    for (const key of ['ns/a', 'ns/b', 'ns/b', 'ns/a']) queue.add(key);
    expect(queue.length).toBe(2);
    release();
    await queue.whenIdle();
    expect(seen).toEqual(['ns/busy', 'ns/a', 'ns/b']);
  });

  it('never runs one key twice at once, but reruns it if it was added meanwhile', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const queue = new WorkQueue({
      concurrency: 4,
      process: async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        concurrent--;
      },
    });
    queue.add('ns/a');
    await Promise.resolve();
    queue.add('ns/a');
    queue.add('ns/a');
    release();
    await queue.whenIdle();
    expect(runs).toBe(2);
    expect(maxConcurrent).toBe(1);
  });

  it('backs off per key exponentially on errors, capped, and resets on success', async () => {
    const clock = fakeTimers();
    let failing = true;
    const errors: number[] = [];
    const queue = new WorkQueue({
      timers: clock.timers,
      baseDelayMs: 1000,
      maxDelayMs: 5000,
      process: async () => {
        if (failing) throw new Error('apiserver unavailable');
      },
      onError: (_key, _error, retryIn) => errors.push(retryIn),
    });
    queue.add('ns/a');
    await queue.whenIdle();
    for (let i = 0; i < 4; i++) {
      clock.advance(errors.at(-1) ?? 0);
      await queue.whenIdle();
    }
    expect(errors).toEqual([1000, 2000, 4000, 5000, 5000]);
    failing = false;
    clock.advance(5000);
    await queue.whenIdle();
    expect(queue.backoffFor('ns/a')).toBe(1000);
    expect(clock.delays()).toEqual([]);
  });

  it('requeues after the delay a pass asks for, unless an event comes first', async () => {
    const clock = fakeTimers();
    let runs = 0;
    const queue = new WorkQueue({
      timers: clock.timers,
      process: async () => (++runs === 1 ? { requeueAfterMs: 5000 } : undefined),
    });
    queue.add('ns/a');
    await queue.whenIdle();
    expect(clock.delays()).toEqual([5000]);
    queue.add('ns/a'); // an informer event: handled now, delayed add dropped
    await queue.whenIdle();
    expect(runs).toBe(2);
    expect(clock.delays()).toEqual([]);
  });
});
