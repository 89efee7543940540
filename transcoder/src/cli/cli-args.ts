import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BitrateString, RenditionName } from '@videoforge/contracts';
import { InvalidStorageKeyError, validateStorageKey } from '@videoforge/platform/storage';
import { DEFAULT_TEMPLATES, templateFromSpec, type RungTemplate } from '../plan/ladder.ts';
import { isOutputPrefix } from '../output/output-layout.ts';

export const USAGE = `Usage:
  videoforge-transcode [rendition] SOURCE --rendition NAME [--height N --video-bitrate 2000k] [--audio-bitrate 128k] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode ladder      SOURCE [--renditions 1080p,720p] [--hdr] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode tracks      SOURCE [--audio-bitrate 128k] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode finalize    SOURCE [--renditions 1080p,720p] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode probe       SOURCE

SOURCE is --source URL|PATH (a presigned https URL, or a file under TRANSCODE_SOURCE_DIRS)
or --source-key KEY (an object in the configured storage).

Exit codes: 0 done (or skipped: the source is smaller than the rendition), 2 bad input
(never retry), 1 transient failure (retry). Events go to stdout as JSON lines; logs to stderr.`;

export type SourceArg = { kind: 'location'; value: string } | { kind: 'key'; key: string };

export type CliCommand =
  | { command: 'probe'; source: SourceArg }
  | {
      command: 'rendition';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      rendition: RungTemplate;
      /** Also an HDR twin of the rung, when the source is HDR. */
      hdr?: boolean;
    }
  | {
      command: 'ladder';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      renditions: RungTemplate[] | undefined;
      hdr?: boolean;
    }
  | {
      /** Every audio track (encoded once for all rungs) and text subtitle. */
      command: 'tracks';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      audioBitrateKbps: number | undefined;
    }
  | {
      command: 'finalize';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      renditions: string[] | undefined;
    };

export type CliParse =
  { ok: true; command: CliCommand } | { ok: false; help: boolean; message: string };

const JobId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, _ or -');
const OutputPrefix = z
  .string()
  .refine(isOutputPrefix, 'must look like videos/output/JOB/ (with the trailing slash)')
  .refine(isStorageKey, 'is not a valid storage key');
const SourceLocation = z.string().min(1).max(16_384);
const SourceKey = z.string().min(1).refine(isStorageKey, 'is not a valid storage key');
const RenditionList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .pipe(z.array(RenditionName).min(1).max(10));

const Options = z.object({
  command: z.enum(['rendition', 'ladder', 'tracks', 'finalize', 'probe']),
  source: SourceLocation.optional(),
  'source-key': SourceKey.optional(),
  rendition: RenditionName.optional(),
  height: z.coerce.number().int().min(2).max(8192).optional(),
  'video-bitrate': BitrateString.optional(),
  'audio-bitrate': BitrateString.optional(),
  renditions: RenditionList.optional(),
  'output-prefix': OutputPrefix.optional(),
  job: JobId.optional(),
  hdr: z.boolean().optional(),
});
type Options = z.infer<typeof Options>;

function isStorageKey(key: string): boolean {
  try {
    validateStorageKey(key, { allowPrefix: true });
    return true;
  } catch (error) {
    if (error instanceof InvalidStorageKeyError) return false;
    throw error;
  }
}

/** Validates the whole command line up front; nothing runs on a bad argument. */
export function parseCliArgs(argv: readonly string[]): CliParse {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        source: { type: 'string' },
        'source-key': { type: 'string' },
        rendition: { type: 'string' },
        height: { type: 'string' },
        'video-bitrate': { type: 'string' },
        'audio-bitrate': { type: 'string' },
        renditions: { type: 'string' },
        'output-prefix': { type: 'string' },
        job: { type: 'string' },
        hdr: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return {
      ok: false,
      help: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  const { help, ...values } = parsed.values;
  if (help) return { ok: false, help: true, message: USAGE };
  if (parsed.positionals.length > 1)
    return {
      ok: false,
      help: false,
      message: `unexpected arguments: ${parsed.positionals.slice(1).join(' ')}`,
    };
  const options = Options.safeParse({ command: parsed.positionals[0] ?? 'rendition', ...values });
  if (!options.success) {
    return {
      ok: false,
      help: false,
      message: options.error.issues
        .map(
          (issue) =>
            `${issue.path.length > 0 ? `--${issue.path.join('.')}` : 'arguments'}: ${issue.message}`,
        )
        .join('\n'),
    };
  }
  return toCommand(options.data);
}

function toCommand(options: Options): CliParse {
  const problems: string[] = [];
  const source = sourceArg(options, problems);
  if (options.command === 'probe') return finish(problems, source && { command: 'probe', source });

  const job = options.job ?? (problems.push('--job is required'), '');
  const outputPrefix =
    options['output-prefix'] ?? (problems.push('--output-prefix is required'), '');
  const hdr = options.hdr ? { hdr: true } : {};
  switch (options.command) {
    case 'rendition': {
      const rendition = renditionTemplate(options, problems);
      return finish(
        problems,
        source &&
          rendition && { command: 'rendition', source, job, outputPrefix, rendition, ...hdr },
      );
    }
    case 'ladder': {
      const renditions = options.renditions?.map((name) => {
        const template = DEFAULT_TEMPLATES.find((t) => t.name === name);
        if (!template) problems.push(`--renditions: ${name} is not in the default ladder`);
        return template;
      });
      return finish(
        problems,
        source && {
          command: 'ladder',
          source,
          job,
          outputPrefix,
          renditions: renditions?.filter((t) => t !== undefined),
          ...hdr,
        },
      );
    }
    case 'tracks': {
      const bitrate = options['audio-bitrate'];
      return finish(
        problems,
        source && {
          command: 'tracks',
          source,
          job,
          outputPrefix,
          audioBitrateKbps: bitrate ? Number.parseInt(bitrate, 10) : undefined,
        },
      );
    }
    case 'finalize':
      return finish(
        problems,
        source && {
          command: 'finalize',
          source,
          job,
          outputPrefix,
          renditions: options.renditions,
        },
      );
  }
}

function sourceArg(options: Options, problems: string[]): SourceArg | undefined {
  const key = options['source-key'];
  if (options.source !== undefined && key !== undefined)
    problems.push('pass either --source or --source-key, not both');
  else if (options.source !== undefined) return { kind: 'location', value: options.source };
  else if (key !== undefined) return { kind: 'key', key };
  else problems.push('--source or --source-key is required');
  return undefined;
}

function renditionTemplate(options: Options, problems: string[]): RungTemplate | undefined {
  const name = options.rendition;
  if (!name) {
    problems.push('--rendition is required');
    return undefined;
  }
  const known = DEFAULT_TEMPLATES.find((template) => template.name === name);
  const height = options.height ?? known?.height;
  const bitrate = options['video-bitrate'] ?? (known ? `${known.videoBitrateKbps}k` : undefined);
  if (height === undefined || bitrate === undefined) {
    problems.push(
      `--rendition ${name} is not in the default ladder; pass --height and --video-bitrate`,
    );
    return undefined;
  }
  return templateFromSpec({
    name,
    height,
    videoBitrate: bitrate,
    audioBitrate: options['audio-bitrate'],
  });
}

function finish(problems: string[], command: CliCommand | undefined): CliParse {
  if (problems.length > 0 || !command)
    return { ok: false, help: false, message: problems.join('\n') };
  return { ok: true, command };
}
