import type { Logger } from '../logging/logger.ts';

/**
 * Runs a process's composition root; a start-up failure is printed and ends the
 * process with code 1 (configuration errors exit earlier, with 78).
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * On the first SIGINT or SIGTERM: logs it, awaits `stop` (which should finish work in
 * hand and close connections), then exits 0 — or 1 if stopping failed. A second
 * signal while stopping is ignored: supervisors escalate to SIGKILL themselves.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stopping failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
}
