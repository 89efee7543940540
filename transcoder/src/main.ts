#!/usr/bin/env node
// The composition root of `videoforge-transcode`: read the environment once, build the
// storage adapter and logger, wire signals to cancellation, run, exit with the code.
import { TRANSCODER_EXIT } from '@videoforge/contracts';
import { ConfigError, loadConfig } from '@videoforge/platform/config';
import { createLogger } from '@videoforge/platform/logging';
import { createStorage, type StoragePort } from '@videoforge/platform/storage';
import { runCli } from './cli/cli.ts';
import { TranscoderEnv } from './config.ts';

async function main(): Promise<number> {
  let env: TranscoderEnv;
  try {
    env = loadConfig(TranscoderEnv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return TRANSCODER_EXIT.badInput;
  }
  // stdout carries the JSON event stream, so logs go to stderr.
  const logger = createLogger({
    service: 'transcoder',
    level: env.LOG_LEVEL,
    destination: process.stderr,
  });

  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.warn({ signal }, 'stopping: ffmpeg will be killed and partial outputs removed');
      controller.abort();
    });
  }

  let storage: Promise<StoragePort> | undefined;
  return runCli(process.argv.slice(2), {
    env,
    // The transcoder serves no URLs; the base only matters for local-adapter links nobody follows.
    storage: () => (storage ??= createStorage(env, env.PUBLIC_BASE_URL ?? 'http://127.0.0.1')),
    emit: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
    printError: (text) => process.stderr.write(`${text}\n`),
    logger,
    signal: controller.signal,
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = TRANSCODER_EXIT.transient;
}
