import type { QueuePort, ReceivedMessage } from './queue.port.ts';

export type HandlerOutcome = 'done' | 'retry';

/**
 * Runs `handler` for one message while keeping it invisible: the visibility timeout
 * is extended every `extendEverySeconds` so long work is not redelivered mid-way.
 * 'done' deletes the message; 'retry' or a thrown error releases it after
 * `retryDelaySeconds`, and the queue's receive count decides when it dead-letters.
 */
export async function runWithVisibility(
  queue: QueuePort,
  message: ReceivedMessage,
  handler: (message: ReceivedMessage, signal: AbortSignal) => Promise<HandlerOutcome>,
  options: {
    visibilityTimeoutSeconds: number;
    retryDelaySeconds?: number;
    onExtendError?: (error: unknown) => void;
  },
): Promise<HandlerOutcome> {
  const controller = new AbortController();
  const extendEveryMs = Math.max(1, options.visibilityTimeoutSeconds / 2) * 1000;
  const timer = setInterval(() => {
    queue
      .changeVisibility(message.receipt, options.visibilityTimeoutSeconds)
      .catch((error: unknown) => {
        // We lost the message (e.g. another consumer has it now): stop working on it.
        options.onExtendError?.(error);
        controller.abort(error);
      });
  }, extendEveryMs);
  try {
    const outcome = await handler(message, controller.signal);
    if (outcome === 'done') await queue.delete(message.receipt);
    else
      await queue
        .changeVisibility(message.receipt, options.retryDelaySeconds ?? 0)
        .catch(() => undefined);
    return outcome;
  } catch (error) {
    await queue
      .changeVisibility(message.receipt, options.retryDelaySeconds ?? 0)
      .catch(() => undefined);
    throw error;
  } finally {
    clearInterval(timer);
  }
}
