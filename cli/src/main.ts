#!/usr/bin/env node
// `videoforge upload FILE…` — see README.md ("Command-line uploads") and `videoforge --help`.
import { parseCliArgs, USAGE } from './args.ts';
import { loadCliEnv } from './config.ts';
import { EXIT } from './exit-codes.ts';
import { createReporter } from './progress.ts';
import { terminalPrompter } from './sign-in.ts';
import { runUpload } from './upload-command.ts';

async function main(argv: string[]): Promise<number> {
  let parsed;
  let env;
  try {
    parsed = parseCliArgs(argv);
    env = loadCliEnv();
  } catch (error) {
    process.stderr.write(
      `videoforge: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`,
    );
    return EXIT.refused;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.done;
  }
  const reporter = createReporter(process.stderr, env.VIDEOFORGE_PLAIN ? { plain: true } : {});
  return runUpload(parsed.command, env, {
    reporter,
    prompter: terminalPrompter(),
    stdout: process.stdout,
  });
}

process.exitCode = await main(process.argv.slice(2));
