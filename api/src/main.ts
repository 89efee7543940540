import { loadConfigOrExit } from '@videoforge/platform/config';
import { createLogger, forCategory } from '@videoforge/platform/logging';
import { ApiConfig } from './config.ts';
import { startApiServer } from './server.ts';

/** The API process (cluster mode): config → logger → server, stopped on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(ApiConfig);
  const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
  const system = forCategory(logger, 'SYSTEM');
  const api = await startApiServer(config, { logger });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    system.info({ signal }, 'shutting down');
    await api.stop();
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
