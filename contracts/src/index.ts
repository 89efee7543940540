export * from './renditions.ts';
export * from './media-probe.ts';
export * from './transcoder-events.ts';
export * from './api-error.ts';
export * from './queue-messages.ts';
export * from './transcode-job.resource.ts';
export * from './output-keys.ts';
export * from './api-schemas.ts';
