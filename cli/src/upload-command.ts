import path from 'node:path';
import type { UploadCommand } from './args.ts';
import { ApiRefusal, createApiClient, describe } from './api-client.ts';
import type { CliEnv } from './config.ts';
import { exitCodeFor, RefusedError, type ExitCode } from './exit-codes.ts';
import { uploadFile } from './file-upload.ts';
import type { Reporter } from './progress.ts';
import type { Prompter } from './sign-in.ts';
import { signIn } from './sign-in.ts';
import { removeState } from './upload-state.ts';
import { waitForJob } from './wait-for-job.ts';

type Outcome = 'done' | 'refused' | 'transient';

/** At most this many files upload at once; each sends `--concurrency` parts at a time. */
const FILES_AT_ONCE = 3;

export async function runUpload(
  command: UploadCommand,
  env: CliEnv,
  io: { reporter: Reporter; prompter: Prompter; stdout: NodeJS.WritableStream },
): Promise<ExitCode> {
  const { reporter } = io;
  const api = createApiClient(command.api ?? env.VIDEOFORGE_URL);
  try {
    await signIn(api, env, io.prompter);
  } catch (error) {
    reporter.log(`sign-in failed: ${describe(error)}`);
    return exitCodeFor([error instanceof RefusedError ? 'refused' : 'transient']);
  }

  const outcomes: Outcome[] = [];
  // Results go to stdout once the bars (on stderr) are done, so neither garbles the other.
  const results: string[] = [];
  const queue = command.files.map((file, index) => ({ file, index }));
  const one = async ({ file }: { file: string }): Promise<void> => {
    const name = path.basename(file);
    const line = reporter.line(name, 'bytes');
    try {
      const { video, job } = await uploadFile(
        api,
        file,
        {
          title: command.title,
          visibility: command.visibility,
          formats: command.formats,
          concurrency: command.concurrency,
        },
        line,
      );
      line.finish(`uploaded: video ${video.id}, job ${job.id}`);
      if (!command.wait) {
        io.stdout.write(
          `${file}\tvideo ${video.id}\tjob ${job.id}\t${api.baseUrl}/videos/${video.id}\n`,
        );
        outcomes.push('done');
        return;
      }
      const outcome = await waitForJob(api, job.id, name, reporter);
      if (outcome.ok) {
        results.push(`${file}\tready\t${api.baseUrl}/videos/${video.id}`);
        outcomes.push('done');
      } else {
        reporter.log(
          `${name}: the transcode ${outcome.job.status}${outcome.job.errorMessage ? `: ${outcome.job.errorMessage}` : ''}`,
        );
        outcomes.push('transient');
      }
    } catch (error) {
      if (error instanceof RefusedError) {
        const code = error instanceof ApiRefusal ? ` (${error.code})` : '';
        line.status(`refused${code}: ${error.message}`);
        reporter.log(`${name}: refused${code}: ${error.message}`);
        await removeState(file);
        outcomes.push('refused');
      } else {
        line.status(`stopped: ${describe(error)}; run again to resume`);
        reporter.log(`${name}: ${describe(error)} — run the same command again to resume`);
        outcomes.push('transient');
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(FILES_AT_ONCE, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await one(next);
    }),
  );
  reporter.stop();
  for (const line of results) io.stdout.write(`${line}\n`);
  return exitCodeFor(outcomes);
}
