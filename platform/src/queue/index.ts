export * from './queue.port.ts';
export { createPostgresQueue, type PostgresQueueOptions } from './postgres.queue.ts';
export { createSqsQueue, type SqsQueueOptions } from './sqs.queue.ts';
export { createQueue } from './create-queue.ts';
export { runWithVisibility, type HandlerOutcome } from './run-with-visibility.ts';
