import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One registry per process, with Node's default metrics under the videoforge_ prefix
 * and a `service` label, so dashboards can tell the API from the controller.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'videoforge_' });
  return registry;
}

export { Counter, Gauge, Histogram, Registry } from 'prom-client';
