import { describe, expect, it } from 'vitest';
import { Registry } from '@videoforge/platform/metrics';
import { createControllerMetrics, recordTransitions } from './controller-metrics.ts';

/** A sample's value by its full name (histograms' `_sum` included) and labels. */
async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const samples = (await registry.getMetricsAsJSON()).flatMap((m) =>
    (m.values as Array<{ value: number; labels: Record<string, string>; metricName?: string }>).map(
      (v) => ({ ...v, metricName: v.metricName ?? m.name }),
    ),
  );
  const entry = samples.find(
    (v) => v.metricName === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return entry?.value ?? 0;
}

describe('recordTransitions', () => {
  it('counts a rendition, its media seconds and duration once, when it first succeeds', async () => {
    const registry = new Registry();
    const metrics = createControllerMetrics(registry);
    const running = {
      phase: 'Running' as const,
      renditions: [{ name: '720p', phase: 'Running' as const, startedAt: '2026-01-01T00:00:00Z' }],
    };
    const done = {
      phase: 'Running' as const,
      renditions: [
        {
          name: '720p',
          phase: 'Succeeded' as const,
          startedAt: '2026-01-01T00:00:00Z',
          completedAt: '2026-01-01T00:00:30Z',
        },
      ],
    };
    recordTransitions(metrics, running, done, 60);
    recordTransitions(metrics, done, done, 60);
    expect(
      await value(registry, 'videoforge_renditions_completed_total', { rendition: '720p' }),
    ).toBe(1);
    expect(
      await value(registry, 'videoforge_media_seconds_transcoded_total', { rendition: '720p' }),
    ).toBe(60);
    expect(
      await value(registry, 'videoforge_rendition_duration_seconds_sum', { rendition: '720p' }),
    ).toBe(30);
  });

  it('counts jobs completed and failed on the phase change only', async () => {
    const registry = new Registry();
    const metrics = createControllerMetrics(registry);
    recordTransitions(metrics, { phase: 'Running' }, { phase: 'Succeeded' }, undefined);
    recordTransitions(metrics, { phase: 'Succeeded' }, { phase: 'Succeeded' }, undefined);
    recordTransitions(metrics, { phase: 'Running' }, { phase: 'Failed' }, undefined);
    expect(await value(registry, 'videoforge_jobs_completed_total')).toBe(1);
    expect(await value(registry, 'videoforge_jobs_failed_total')).toBe(1);
  });
});
