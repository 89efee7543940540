import { loadConfigOrExit } from '@videoforge/platform/config';
import { createLogger, forCategory } from '@videoforge/platform/logging';
import { startAllInOne } from './all-in-one.ts';
import { AllInOneConfig } from './config.ts';

/** `npm start`: everything in one process, on embedded defaults unless configured. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(AllInOneConfig);
  const logger = createLogger({ service: 'videoforge', level: config.LOG_LEVEL });
  const system = forCategory(logger, 'SYSTEM');
  const running = await startAllInOne(config, logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    system.info({ signal }, 'shutting down');
    await running.stop();
    system.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
