import { z } from 'zod';
import { BitrateString, RenditionName } from './renditions.ts';

/**
 * How a workload starts the transcoder: the one description of its command line that
 * the controller (batch/v1 Job args, local process argv) writes with `toArgv` and the
 * transcoder reads with `parseArgv`. A flag exists only here, so the two sides cannot
 * drift apart.
 */

/** What the exit status of a transcoder run means to the runtime that started it. */
export const TRANSCODER_EXIT = {
  /** Done, or skipped (the source is smaller than the rendition). */
  ok: 0,
  /** Transient failure: retry (a Job's backoffLimit, the local runner's maxRetries). */
  transient: 1,
  /** Bad input: never retry; the pod failure policy fails the Job at once. */
  badInput: 2,
} as const;
export type TranscoderExitCode = (typeof TRANSCODER_EXIT)[keyof typeof TRANSCODER_EXIT];

export const TRANSCODER_COMMANDS = ['rendition', 'ladder', 'tracks', 'finalize', 'probe'] as const;
export type TranscoderCommand = (typeof TRANSCODER_COMMANDS)[number];

const FLAGS = {
  source: '--source',
  sourceKey: '--source-key',
  outputPrefix: '--output-prefix',
  jobId: '--job',
  rendition: '--rendition',
  height: '--height',
  videoBitrate: '--video-bitrate',
  audioBitrate: '--audio-bitrate',
  renditions: '--renditions',
  hdr: '--hdr',
} as const;
type Flag = keyof typeof FLAGS;
const BOOLEAN_FLAGS: ReadonlySet<Flag> = new Set<Flag>(['hdr']);

export const TRANSCODER_USAGE = `Usage:
  videoforge-transcode [rendition] SOURCE --rendition NAME [--height N --video-bitrate 2000k] [--audio-bitrate 128k] [--hdr] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode ladder      SOURCE [--renditions 1080p,720p] [--hdr] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode tracks      SOURCE [--audio-bitrate 128k] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode finalize    SOURCE [--renditions 1080p,720p] --output-prefix videos/output/JOB/ --job JOB
  videoforge-transcode probe       SOURCE

SOURCE is --source URL|PATH (a presigned https URL, or a file under TRANSCODE_SOURCE_DIRS)
or --source-key KEY (an object in the configured storage).

Exit codes: ${TRANSCODER_EXIT.ok} done (or skipped: the source is smaller than the rendition), ${TRANSCODER_EXIT.badInput} bad input
(never retry), ${TRANSCODER_EXIT.transient} transient failure (retry). Events go to stdout as JSON lines; logs to stderr.`;

export const TranscoderJobId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, _ or -');

const OUTPUT_PREFIX = /^videos\/output\/[A-Za-z0-9][A-Za-z0-9_-]{0,127}\/$/;

/** Outputs go to `videos/output/{jobId}/` and nowhere else, whatever the caller passes. */
export function isOutputPrefix(prefix: string): boolean {
  return OUTPUT_PREFIX.test(prefix);
}

export const TranscoderSource = z.discriminatedUnion('kind', [
  /** A presigned https URL, or a file under TRANSCODE_SOURCE_DIRS. */
  z.object({ kind: z.literal('location'), value: z.string().min(1).max(16_384) }),
  /** An object in the configured storage. */
  z.object({ kind: z.literal('key'), key: z.string().min(1).max(1024) }),
]);
export type TranscoderSource = z.infer<typeof TranscoderSource>;

const Work = {
  source: TranscoderSource,
  jobId: TranscoderJobId,
  outputPrefix: z
    .string()
    .refine(isOutputPrefix, 'must look like videos/output/JOB/ (with the trailing slash)'),
};
const RenditionList = z.array(RenditionName).min(1).max(10);

export const TranscoderInvocation = z.discriminatedUnion('command', [
  z.object({ command: z.literal('probe'), source: TranscoderSource }),
  z.object({
    command: z.literal('rendition'),
    ...Work,
    /** Height and bitrate may be left out for a rung of the default ladder. */
    rendition: z.object({
      name: RenditionName,
      height: z.number().int().min(2).max(8192).optional(),
      videoBitrate: BitrateString.optional(),
      audioBitrate: BitrateString.optional(),
    }),
    /** Also an HDR twin of the rung, when the source is HDR. */
    hdr: z.boolean(),
  }),
  z.object({
    command: z.literal('ladder'),
    ...Work,
    /** Absent: every rung of the default ladder the source reaches. */
    renditions: RenditionList.optional(),
    hdr: z.boolean(),
  }),
  z.object({
    /** Every audio track (encoded once for all rungs) and text subtitle. */
    command: z.literal('tracks'),
    ...Work,
    audioBitrate: BitrateString.optional(),
  }),
  z.object({
    command: z.literal('finalize'),
    ...Work,
    renditions: RenditionList.optional(),
  }),
]);
export type TranscoderInvocation = z.infer<typeof TranscoderInvocation>;

export type InvocationParse =
  { ok: true; invocation: TranscoderInvocation } | { ok: false; help: boolean; message: string };

type FlagValues = Partial<Record<Flag, string | true>>;

export function toArgv(invocation: TranscoderInvocation): string[] {
  const argv: string[] = [invocation.command];
  const put = (flag: Flag, value: string | number | boolean | undefined): void => {
    if (value === undefined || value === false) return;
    argv.push(FLAGS[flag]);
    if (value !== true) argv.push(String(value));
  };
  switch (invocation.source.kind) {
    case 'location':
      put('source', invocation.source.value);
      break;
    case 'key':
      put('sourceKey', invocation.source.key);
      break;
  }
  switch (invocation.command) {
    case 'probe':
      return argv;
    case 'rendition':
      put('rendition', invocation.rendition.name);
      put('height', invocation.rendition.height);
      put('videoBitrate', invocation.rendition.videoBitrate);
      put('audioBitrate', invocation.rendition.audioBitrate);
      put('hdr', invocation.hdr);
      break;
    case 'ladder':
      put('renditions', invocation.renditions?.join(','));
      put('hdr', invocation.hdr);
      break;
    case 'tracks':
      put('audioBitrate', invocation.audioBitrate);
      break;
    case 'finalize':
      put('renditions', invocation.renditions?.join(','));
      break;
  }
  put('outputPrefix', invocation.outputPrefix);
  put('jobId', invocation.jobId);
  return argv;
}

const FLAG_OF: ReadonlyMap<string, Flag> = new Map(
  Object.entries(FLAGS).map(([flag, text]) => [text, flag as Flag]),
);

/** Validates the whole command line up front: nothing runs on a bad argument. */
export function parseArgv(argv: readonly string[]): InvocationParse {
  const fail = (message: string): InvocationParse => ({ ok: false, help: false, message });
  const positionals: string[] = [];
  const values: FlagValues = {};
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] ?? '';
    if (token === '--help' || token === '-h')
      return { ok: false, help: true, message: TRANSCODER_USAGE };
    if (!token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    const equals = token.indexOf('=');
    const name = equals === -1 ? token : token.slice(0, equals);
    const flag = FLAG_OF.get(name);
    if (flag === undefined) return fail(`unknown option ${name}`);
    if (values[flag] !== undefined) return fail(`${name} is given twice`);
    if (BOOLEAN_FLAGS.has(flag)) {
      if (equals !== -1) return fail(`${name} takes no value`);
      values[flag] = true;
      continue;
    }
    const value = equals === -1 ? argv[(i += 1)] : token.slice(equals + 1);
    if (value === undefined) return fail(`${name} needs a value`);
    values[flag] = value;
  }
  const [command = 'rendition', ...extra] = positionals;
  if (extra.length > 0) return fail(`unexpected arguments: ${extra.join(' ')}`);
  if (!(TRANSCODER_COMMANDS as readonly string[]).includes(command))
    return fail(`unknown command ${command}; one of ${TRANSCODER_COMMANDS.join(', ')}`);

  const problems: string[] = [];
  const text = (flag: Flag): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const used = new Set<Flag>(['source', 'sourceKey']);
  const take = (flag: Flag): string | undefined => (used.add(flag), text(flag));
  const list = (flag: Flag): string[] | undefined =>
    take(flag)
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  const location = text('source');
  const key = text('sourceKey');
  let source: TranscoderSource | undefined;
  if (location !== undefined && key !== undefined)
    problems.push(`pass either ${FLAGS.source} or ${FLAGS.sourceKey}, not both`);
  else if (location !== undefined) source = { kind: 'location', value: location };
  else if (key !== undefined) source = { kind: 'key', key };
  else problems.push(`${FLAGS.source} or ${FLAGS.sourceKey} is required`);

  const work = () => {
    const jobId = take('jobId');
    const outputPrefix = take('outputPrefix');
    if (jobId === undefined) problems.push(`${FLAGS.jobId} is required`);
    if (outputPrefix === undefined) problems.push(`${FLAGS.outputPrefix} is required`);
    return { source, jobId, outputPrefix };
  };
  let candidate: unknown;
  switch (command as TranscoderCommand) {
    case 'probe':
      candidate = { command, source };
      break;
    case 'rendition': {
      const name = take('rendition');
      if (name === undefined) problems.push(`${FLAGS.rendition} is required`);
      const height = take('height');
      candidate = {
        command,
        ...work(),
        rendition: {
          name,
          height: height === undefined ? undefined : Number(height),
          videoBitrate: take('videoBitrate'),
          audioBitrate: take('audioBitrate'),
        },
        hdr: (used.add('hdr'), values.hdr === true),
      };
      break;
    }
    case 'ladder':
      candidate = {
        command,
        ...work(),
        renditions: list('renditions'),
        hdr: (used.add('hdr'), values.hdr === true),
      };
      break;
    case 'tracks':
      candidate = { command, ...work(), audioBitrate: take('audioBitrate') };
      break;
    case 'finalize':
      candidate = { command, ...work(), renditions: list('renditions') };
      break;
  }
  for (const flag of Object.keys(values) as Flag[])
    if (!used.has(flag)) problems.push(`${FLAGS[flag]} does not apply to ${command}`);
  if (problems.length > 0) return fail(problems.join('\n'));

  const parsed = TranscoderInvocation.safeParse(candidate);
  if (!parsed.success)
    return fail(
      parsed.error.issues.map((issue) => `${flagOfPath(issue.path)}: ${issue.message}`).join('\n'),
    );
  return { ok: true, invocation: parsed.data };
}

function flagOfPath(path: readonly PropertyKey[]): string {
  const last = path.at(-1);
  if (last === 'name') return FLAGS.rendition;
  if (typeof last === 'number') return FLAGS.renditions;
  if (last === 'value') return FLAGS.source;
  if (last === 'key') return FLAGS.sourceKey;
  return typeof last === 'string' && last in FLAGS ? FLAGS[last as Flag] : 'arguments';
}
