import { loadConfigOrExit } from '@videoforge/platform/config';
import { createLogger, forCategory } from '@videoforge/platform/logging';
import { runMain, stopOnSignals } from '@videoforge/platform/process';
import { ApiConfig } from './config.ts';
import { startApiServer } from './server.ts';

/** The API process (cluster mode): config → logger → server, stopped on SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfigOrExit(ApiConfig);
  const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
  const api = await startApiServer(config, { logger });
  stopOnSignals(forCategory(logger, 'SYSTEM'), () => api.stop());
});
