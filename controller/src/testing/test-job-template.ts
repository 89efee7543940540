import type { JobTemplateSettings } from '../kubernetes/job-manifest.builder.ts';

/**
 * The Job template the controller's kube suites share: `command` stands in for the
 * transcoder, on the transcode node group the suite's local node joins, with small
 * requests so many Jobs fit at once. A suite passes only what it tests differently.
 */
export function testJobTemplate(
  command: string[],
  overrides: Partial<JobTemplateSettings> = {},
): JobTemplateSettings {
  return {
    image: 'videoforge/transcoder:test',
    command,
    nodeSelector: { 'videoforge.io/node-group': 'transcode' },
    tolerations: [{ key: 'videoforge.io/transcode', operator: 'Exists', effect: 'NoSchedule' }],
    resources: { default: { requests: { cpu: '100m', memory: '64Mi' } } },
    activeDeadlineSeconds: 600,
    ttlSecondsAfterFinished: 3600,
    env: [{ name: 'STORAGE_DRIVER', value: 's3' }],
    ...overrides,
  };
}
