import type { Gauge } from 'prom-client';
import type { Phase, TranscodeJobResource } from '@videoforge/contracts';

const PHASES: readonly Phase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'];

/**
 * `videoforge_transcodejobs{phase}` from the informer cache. Counted at most once a
 * second, not after every pass: a count reads every cached TranscodeJob, and passes
 * can run hundreds of times a second.
 */
export function startPhaseGauge(deps: {
  list: () => TranscodeJobResource[];
  gauge?: Gauge<'phase'>;
  intervalMs?: number;
}): { changed(): void; stop(): void } {
  let changed = false;
  const timer = setInterval(() => {
    if (!changed) return;
    changed = false;
    const { gauge } = deps;
    if (!gauge) return;
    const counts = new Map<Phase, number>(PHASES.map((p) => [p, 0]));
    for (const tj of deps.list()) {
      const phase = tj.status?.phase ?? 'Pending';
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
    }
    for (const [phase, count] of counts) gauge.set({ phase }, count);
  }, deps.intervalMs ?? 1000);
  timer.unref();
  return {
    changed: () => {
      changed = true;
    },
    stop: () => clearInterval(timer),
  };
}
