// What a composition root above the controller (all-in-one mode) needs.
export {
  countIntake,
  createControllerMetrics,
  recordJobTransitions,
  sampleQueueDepth,
} from './controller-metrics.ts';
export { startQueueIntake } from './intake/queue-intake.ts';
export { startLocalController, type LocalController } from './local/local-transcode.controller.ts';
export { mediaDurationOfJob } from './postgres/job-rows.repository.ts';
