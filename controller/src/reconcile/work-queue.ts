/**
 * A rate-limited work queue keyed by `namespace/name`, as client-go's: a key is queued
 * at most once however many events name it, one worker handles a key at a time (a key
 * added while in progress is handled again afterwards), and failures back off per key
 * exponentially from `baseDelayMs` to `maxDelayMs`. Timers are injected so tests are
 * deterministic.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type ProcessResult = { requeueAfterMs?: number } | void;

export interface WorkQueueOptions {
  process: (key: string) => Promise<ProcessResult>;
  onError?: (key: string, error: unknown, retryInMs: number) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  concurrency?: number;
  timers?: Timers;
}

export class WorkQueue {
  readonly #options: Required<Omit<WorkQueueOptions, 'onError'>> &
    Pick<WorkQueueOptions, 'onError'>;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, unknown>();
  #running = 0;
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(options: WorkQueueOptions) {
    this.#options = {
      baseDelayMs: 1_000,
      maxDelayMs: 300_000,
      concurrency: 2,
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
      ...options,
    };
  }

  /** Queues a key now (dropping any delayed add for it). */
  add(key: string): void {
    if (this.#stopped) return;
    const delayed = this.#delayed.get(key);
    if (delayed !== undefined) {
      this.#options.timers.clearTimeout(delayed);
      this.#delayed.delete(key);
    }
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  /** Queues a key after a delay, unless something queues it sooner. */
  addAfter(key: string, ms: number): void {
    if (this.#stopped || this.#delayed.has(key)) return;
    this.#delayed.set(
      key,
      this.#options.timers.setTimeout(() => {
        this.#delayed.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /** The delay the next failure of `key` will wait: base × 2^failures, capped. */
  backoffFor(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    return Math.min(this.#options.baseDelayMs * 2 ** failures, this.#options.maxDelayMs);
  }

  get length(): number {
    return this.#queue.length;
  }

  /** Resolves when nothing is queued or running (tests). */
  whenIdle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
    for (const handle of this.#delayed.values()) this.#options.timers.clearTimeout(handle);
    this.#delayed.clear();
    this.#queue.length = 0;
    this.#queued.clear();
  }

  #pump(): void {
    while (this.#running < this.#options.concurrency && this.#queue.length > 0) {
      const key = this.#queue.shift() as string;
      this.#queued.delete(key);
      this.#processing.add(key);
      this.#running++;
      void this.#run(key);
    }
    if (this.#queue.length === 0 && this.#running === 0)
      for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #run(key: string): Promise<void> {
    try {
      const result = await this.#options.process(key);
      this.#failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const delay = this.backoffFor(key);
      this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
      this.#options.onError?.(key, error, delay);
      this.addAfter(key, delay);
    } finally {
      this.#processing.delete(key);
      this.#running--;
      if (this.#dirty.delete(key)) this.add(key);
      this.#pump();
    }
  }
}
