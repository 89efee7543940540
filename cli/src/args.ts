import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Format } from '@videoforge/contracts';

export const USAGE = `Usage: videoforge upload FILE… [options]

Options:
  --title TEXT        title (one file; default: the file name)
  --private           only you (and admins) can see the videos
  --formats LIST      renditions, comma-separated (e.g. 720p,360p); default: the ladder
  --wait              wait for the transcodes, showing each rendition, then print the watch URLs
  --concurrency N     parts sent at once per file (default 4)
  --api URL           the VideoForge server (default: $VIDEOFORGE_URL or http://127.0.0.1:8080)
  -h, --help          this text

Signing in: $VIDEOFORGE_TOKEN (an access token), or $VIDEOFORGE_USERNAME and
$VIDEOFORGE_PASSWORD (prompted for when unset), and a TOTP code when MFA is on
($VIDEOFORGE_TOTP, or prompted for).

Exit codes: 0 done, 2 refused input, 1 transient trouble (run again: it resumes).`;

export const UploadCommand = z.object({
  command: z.literal('upload'),
  files: z.array(z.string().min(1)).min(1, 'name at least one file to upload'),
  title: z.string().trim().min(1).max(200).optional(),
  visibility: z.enum(['public', 'private']),
  formats: z
    .string()
    .transform((list) => list.split(',').map((item) => item.trim()))
    .pipe(z.array(Format).min(1))
    .optional(),
  wait: z.boolean(),
  concurrency: z.coerce.number().int().min(1).max(16).default(4),
  api: z.url().optional(),
});
export type UploadCommand = z.infer<typeof UploadCommand>;

export type ParsedArgs = { kind: 'help' } | { kind: 'upload'; command: UploadCommand };

/** Throws a readable message (for exit code 2) when the arguments do not make sense. */
export function parseCliArgs(argv: string[]): ParsedArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      title: { type: 'string' },
      private: { type: 'boolean', default: false },
      formats: { type: 'string' },
      wait: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      api: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...files] = positionals;
  if (values.help || command === undefined || command === 'help') return { kind: 'help' };
  if (command !== 'upload')
    throw new Error(`unknown command "${command}"; try: videoforge upload FILE…`);
  const parsed = UploadCommand.safeParse({
    command,
    files,
    title: values.title,
    visibility: values.private ? 'private' : 'public',
    formats: values.formats,
    wait: values.wait,
    concurrency: values.concurrency,
    api: values.api,
  });
  if (!parsed.success)
    throw new Error(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '),
    );
  if (parsed.data.title && parsed.data.files.length > 1)
    throw new Error('--title names one video; give one file with it');
  return { kind: 'upload', command: parsed.data };
}
