import { loadConfigOrExit } from '@videoforge/platform/config';
import { createLogger, forCategory } from '@videoforge/platform/logging';
import { runMain, stopOnSignals } from '@videoforge/platform/process';
import { startAllInOne } from './all-in-one.ts';
import { AllInOneConfig } from './config.ts';

/** `npm start`: everything in one process, on embedded defaults unless configured. */
runMain(async () => {
  const config = loadConfigOrExit(AllInOneConfig);
  const logger = createLogger({ service: 'videoforge', level: config.LOG_LEVEL });
  const running = await startAllInOne(config, logger, process.env);
  stopOnSignals(forCategory(logger, 'SYSTEM'), () => running.stop());
});
