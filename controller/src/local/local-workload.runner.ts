import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TRANSCODER_EXIT, TranscoderEvent, VideoProcessing } from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import {
  withQualityEvent,
  type ObservedWorkload,
  type WorkloadType,
} from '../reconcile/workload.ts';

export interface LocalWorkloadSpec {
  name: string;
  type: WorkloadType;
  renditions: string[];
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** Retries after the first attempt for exit code 1, as a Job's backoffLimit. */
  maxRetries: number;
}

export interface Slots {
  acquire(signal: AbortSignal): Promise<() => void>;
}

/** At most `size` transcodes at once: a laptop has few cores and ffmpeg uses them all. */
export function createSlots(size: number): Slots {
  let free = size;
  const waiting: Array<() => void> = [];
  return {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        const grant = () => {
          free--;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            free++;
            waiting.shift()?.();
          });
        };
        if (free > 0) return grant();
        const cancelled = () => new Error('cancelled while waiting for a transcode slot');
        const entry = () => {
          if (!signal.aborted) return grant();
          waiting.shift()?.(); // pass the free slot on
          reject(cancelled());
        };
        waiting.push(entry);
        signal.addEventListener('abort', () => {
          const index = waiting.indexOf(entry);
          if (index >= 0) {
            waiting.splice(index, 1);
            reject(cancelled());
          }
        });
      });
    },
  };
}

/**
 * One workload as local child processes — the all-in-one stand-in for a batch/v1 Job
 * with the same policy: exit 1 retried up to maxRetries with backoff, exit 2 (bad
 * input) never retried, cancel kills the process (the transcoder then removes its
 * partial outputs). Progress comes from the transcoder's JSON events on stdout.
 */
export class LocalWorkload {
  readonly spec: LocalWorkloadSpec;
  readonly #controller = new AbortController();
  #state: ObservedWorkload;
  #child: ChildProcess | undefined;
  readonly #now: () => Date;
  #running = true;
  readonly done: Promise<void>;

  constructor(
    spec: LocalWorkloadSpec,
    deps: {
      slots: Slots;
      logger: Logger;
      onChange: () => void;
      retryDelayMs?: number;
      /** The clock for start and completion times (the runtime's, injected in tests). */
      now?: () => Date;
    },
  ) {
    this.spec = spec;
    this.#now = deps.now ?? (() => new Date());
    this.#state = {
      name: spec.name,
      type: spec.type,
      renditions: spec.renditions,
      state: 'active',
      attempts: 0,
      progress: 0,
    };
    this.done = this.#run(deps)
      .catch((error: unknown) => {
        this.#state = {
          ...this.#state,
          state: 'failed',
          failure: { kind: 'unknown', message: String(error) },
          completedAt: this.#now(),
        };
      })
      .finally(() => {
        this.#running = false;
        // A cancelled workload never reaches a final state: say that nothing of it runs
        // any more, so the runtime need not look again later.
        if (this.#controller.signal.aborted) deps.onChange();
      });
  }

  /** Whether a process of it may still run (false once it finished, failed or was cancelled). */
  get running(): boolean {
    return this.#running;
  }

  observe(): ObservedWorkload {
    return { ...this.#state };
  }

  cancel(): void {
    this.#controller.abort(new Error('cancelled'));
    this.#child?.kill('SIGTERM');
  }

  async #run(deps: {
    slots: Slots;
    logger: Logger;
    onChange: () => void;
    retryDelayMs?: number;
  }): Promise<void> {
    const signal = this.#controller.signal;
    let release: (() => void) | undefined;
    try {
      release = await deps.slots.acquire(signal);
    } catch {
      return; // cancelled while waiting for a slot
    }
    try {
      for (let attempt = 1; attempt <= this.spec.maxRetries + 1 && !signal.aborted; attempt++) {
        this.#state = {
          ...this.#state,
          attempts: attempt,
          startedAt: this.#state.startedAt ?? this.#now(),
        };
        deps.onChange();
        const { code, lastError } = await this.#attempt(deps.logger, deps.onChange);
        if (signal.aborted) return;
        if (code === TRANSCODER_EXIT.ok) {
          this.#state = {
            ...this.#state,
            state: 'succeeded',
            progress: 100,
            completedAt: this.#now(),
          };
          deps.onChange();
          return;
        }
        if (code === TRANSCODER_EXIT.badInput || attempt === this.spec.maxRetries + 1) {
          const kind = code === TRANSCODER_EXIT.badInput ? 'bad-input' : 'transient';
          const message =
            lastError ??
            (kind === 'bad-input'
              ? 'the transcoder refused the input'
              : `failed ${attempt} time(s)`);
          this.#state = {
            ...this.#state,
            state: 'failed',
            failure: { kind, message },
            completedAt: this.#now(),
          };
          deps.onChange();
          return;
        }
        // The job controller's schedule, shortened: 2 s, 4 s, 8 s…
        await new Promise((resolve) =>
          setTimeout(resolve, (deps.retryDelayMs ?? 2000) * 2 ** (attempt - 1)),
        );
      }
    } finally {
      release();
    }
  }

  #attempt(logger: Logger, onChange: () => void): Promise<{ code: number; lastError?: string }> {
    const [command, ...prefix] = this.spec.command;
    if (!command) throw new Error('no transcoder command configured');
    const child = spawn(command, [...prefix, ...this.spec.args], {
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let lastError: string | undefined;
    // Progress is announced at most once a second: enough for a live bar, and each
    // announcement costs a reconcile pass and a Postgres write.
    let announcedAt = 0;
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as {
          event?: string;
          percent?: number;
          message?: string;
          code?: string;
          processing?: unknown;
          publishedAt?: unknown;
        };
        if (event.event === 'progress' && typeof event.percent === 'number') {
          this.#state = { ...this.#state, progress: event.percent };
          if (Date.now() - announcedAt >= 1000) {
            announcedAt = Date.now();
            onChange();
          }
        }
        if (event.event === 'failed')
          lastError = [event.code, event.message].filter(Boolean).join(': ');
        // The first segments are up: the job is playable now, so say so at once.
        if (event.event === 'rendition-live' && !this.#state.liveAt) {
          const at = new Date(typeof event.publishedAt === 'string' ? event.publishedAt : NaN);
          this.#state = { ...this.#state, liveAt: Number.isNaN(at.getTime()) ? this.#now() : at };
          onChange();
        }
        if (event.event === 'rendition-uploaded') {
          const processing = VideoProcessing.safeParse(event.processing);
          if (processing.success) this.#state = { ...this.#state, processing: processing.data };
        }
        if (event.event === 'rendition-quality') {
          const measured = TranscoderEvent.safeParse(event);
          if (measured.success && measured.data.event === 'rendition-quality')
            this.#state = { ...this.#state, ...withQualityEvent(this.#state, measured.data) };
        }
      } catch {
        /* not an event line */
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) =>
      logger.debug({ workload: this.spec.name, line }, 'transcoder output'),
    );
    return new Promise((resolve) => {
      child.on('error', (error) => resolve({ code: 1, lastError: error.message }));
      child.on('close', (code) =>
        resolve({ code: code ?? 1, ...(lastError ? { lastError } : {}) }),
      );
    });
  }
}
