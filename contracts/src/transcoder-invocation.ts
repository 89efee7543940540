import { z } from 'zod';
import { isOutputPrefix } from './output-keys.ts';
import { CodecFamilies } from './codec-families.ts';
import { BitrateString, RenditionName } from './renditions.ts';

/**
 * How the controller (Kubernetes Job args, local child process argv) invokes
 * `videoforge-transcode`, and what its exit code means. Both sides use this module
 * only: the controller builds argv with `toArgv`, the transcoder reads it with
 * `parseArgv`, so a flag cannot drift on one side (transcoder-invocation.test.ts
 * round-trips every invocation).
 */
export const TRANSCODER_EXIT = {
  /** Done, or skipped (the source is smaller than the rendition). */
  ok: 0,
  /** Transient failure: retry. */
  transient: 1,
  /** Bad input: never retry (a Kubernetes pod failure policy fails the Job at once). */
  badInput: 2,
} as const;
export type TranscoderExitCode = (typeof TRANSCODER_EXIT)[keyof typeof TRANSCODER_EXIT];

/** A Postgres job id, or a name derived from a hand-made TranscodeJob's. */
export const InvocationJobId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, _ or -');

/** `videos/output/{jobId}/` (see output-keys.ts). */
export const InvocationOutputPrefix = z
  .string()
  .refine(isOutputPrefix, 'must look like videos/output/JOB/ (with the trailing slash)');

/**
 * Where the source is: a presigned URL or local path, or a key in the configured
 * storage. The transcoder checks a key against its storage's key rules before use.
 */
export const InvocationSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('location'), value: z.string().min(1).max(16_384) }),
  z.object({ kind: z.literal('key'), key: z.string().min(1).max(1024) }),
]);
export type InvocationSource = z.infer<typeof InvocationSource>;

const RenditionNames = z.array(RenditionName).min(1).max(10);

const ChunkNumber = z.number().int().min(0).max(100_000);

const Work = {
  source: InvocationSource,
  jobId: InvocationJobId,
  outputPrefix: InvocationOutputPrefix,
};

export const TranscoderInvocation = z.discriminatedUnion('command', [
  z.object({ command: z.literal('probe'), source: InvocationSource }),
  z.object({
    command: z.literal('rendition'),
    ...Work,
    rendition: RenditionName,
    /** Required for a rendition outside the default ladder. */
    height: z.number().int().min(2).max(8192).optional(),
    videoBitrate: BitrateString.optional(),
    audioBitrate: BitrateString.optional(),
    /** Also an HDR twin of the rendition, when the source is HDR. */
    hdr: z.boolean().optional(),
    /** The codec families to encode it in; absent: the transcoder's TRANSCODE_CODECS. */
    codecs: CodecFamilies.optional(),
  }),
  z.object({
    command: z.literal('ladder'),
    ...Work,
    renditions: RenditionNames.optional(),
    hdr: z.boolean().optional(),
    codecs: CodecFamilies.optional(),
  }),
  z.object({
    /** Every audio track (encoded once for all renditions) and text subtitle. */
    command: z.literal('tracks'),
    ...Work,
    audioBitrate: BitrateString.optional(),
  }),
  z.object({
    /**
     * The chunked strategy: the video of every rendition for whole segments
     * [startSegment, startSegment + segmentCount) of the timeline (see chunk-plan.ts).
     */
    command: z.literal('chunk'),
    ...Work,
    renditions: RenditionNames.optional(),
    codecs: CodecFamilies.optional(),
    chunkIndex: ChunkNumber,
    startSegment: ChunkNumber,
    segmentCount: z.number().int().min(1).max(100_000),
    /** The segment grid every chunk of the job shares, a whole number of keyframe intervals. */
    segmentSeconds: z.number().int().min(1).max(30),
  }),
  z.object({
    /** Concatenates the chunks' segment lists into each rendition's playlist and MP4. */
    command: z.literal('stitch'),
    ...Work,
    renditions: RenditionNames.optional(),
    chunks: z.number().int().min(1).max(100_000),
  }),
  z.object({
    command: z.literal('finalize'),
    ...Work,
    renditions: RenditionNames.optional(),
  }),
]);
export type TranscoderInvocation = z.infer<typeof TranscoderInvocation>;
export type TranscoderCommand = TranscoderInvocation['command'];

/** Each field's flag; `command` is the leading positional. */
const FLAGS = {
  source: undefined,
  jobId: '--job-id',
  outputPrefix: '--output-prefix',
  rendition: '--rendition',
  height: '--height',
  videoBitrate: '--video-bitrate',
  audioBitrate: '--audio-bitrate',
  renditions: '--renditions',
  hdr: '--hdr',
  codecs: '--codecs',
  chunkIndex: '--chunk-index',
  startSegment: '--start-segment',
  segmentCount: '--segment-count',
  segmentSeconds: '--segment-seconds',
  chunks: '--chunks',
} as const;
const NUMBER_FIELDS = [
  'height',
  'chunkIndex',
  'startSegment',
  'segmentCount',
  'segmentSeconds',
  'chunks',
] as const;
const SOURCE_FLAGS = { location: '--source', key: '--source-key' } as const;
const VALUE_FLAGS = new Set<string>([
  SOURCE_FLAGS.location,
  SOURCE_FLAGS.key,
  FLAGS.jobId,
  FLAGS.outputPrefix,
  FLAGS.rendition,
  FLAGS.height,
  FLAGS.videoBitrate,
  FLAGS.audioBitrate,
  FLAGS.renditions,
  FLAGS.codecs,
  FLAGS.chunkIndex,
  FLAGS.startSegment,
  FLAGS.segmentCount,
  FLAGS.segmentSeconds,
  FLAGS.chunks,
]);
const COMMANDS: readonly TranscoderCommand[] = [
  'rendition',
  'ladder',
  'tracks',
  'finalize',
  'probe',
  'chunk',
  'stitch',
];

/** The argv (after the program name) that `parseArgv` reads back as `invocation`. */
export function toArgv(invocation: TranscoderInvocation): string[] {
  const argv: string[] = [invocation.command];
  const { source } = invocation;
  argv.push(
    ...(source.kind === 'key'
      ? [SOURCE_FLAGS.key, source.key]
      : [SOURCE_FLAGS.location, source.value]),
  );
  if (invocation.command === 'probe') return argv;
  argv.push(FLAGS.jobId, invocation.jobId, FLAGS.outputPrefix, invocation.outputPrefix);
  switch (invocation.command) {
    case 'rendition':
      argv.push(FLAGS.rendition, invocation.rendition);
      if (invocation.height !== undefined) argv.push(FLAGS.height, String(invocation.height));
      if (invocation.videoBitrate) argv.push(FLAGS.videoBitrate, invocation.videoBitrate);
      if (invocation.audioBitrate) argv.push(FLAGS.audioBitrate, invocation.audioBitrate);
      if (invocation.hdr) argv.push(FLAGS.hdr);
      if (invocation.codecs) argv.push(FLAGS.codecs, invocation.codecs.join(','));
      return argv;
    case 'ladder':
      if (invocation.renditions) argv.push(FLAGS.renditions, invocation.renditions.join(','));
      if (invocation.hdr) argv.push(FLAGS.hdr);
      if (invocation.codecs) argv.push(FLAGS.codecs, invocation.codecs.join(','));
      return argv;
    case 'tracks':
      if (invocation.audioBitrate) argv.push(FLAGS.audioBitrate, invocation.audioBitrate);
      return argv;
    case 'chunk':
      if (invocation.renditions) argv.push(FLAGS.renditions, invocation.renditions.join(','));
      if (invocation.codecs) argv.push(FLAGS.codecs, invocation.codecs.join(','));
      argv.push(
        FLAGS.chunkIndex,
        String(invocation.chunkIndex),
        FLAGS.startSegment,
        String(invocation.startSegment),
        FLAGS.segmentCount,
        String(invocation.segmentCount),
        FLAGS.segmentSeconds,
        String(invocation.segmentSeconds),
      );
      return argv;
    case 'stitch':
      if (invocation.renditions) argv.push(FLAGS.renditions, invocation.renditions.join(','));
      argv.push(FLAGS.chunks, String(invocation.chunks));
      return argv;
    case 'finalize':
      if (invocation.renditions) argv.push(FLAGS.renditions, invocation.renditions.join(','));
      return argv;
  }
}

export type ArgvParse =
  { ok: true; invocation: TranscoderInvocation } | { ok: false; help: boolean; message: string };

/**
 * Reads a whole command line up front (nothing runs on a bad argument): an optional
 * command (default `rendition`), then `--flag value`, `--flag=value` or `--hdr`.
 */
export function parseArgv(argv: readonly string[]): ArgvParse {
  const refuse = (message: string): ArgvParse => ({ ok: false, help: false, message });
  const values = new Map<string, string>();
  let hdr = false;
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { ok: false, help: true, message: '' };
    if (!arg.startsWith('-')) {
      if (command !== undefined || i > 0) return refuse(`unexpected argument: ${arg}`);
      command = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === FLAGS.hdr) {
      if (eq > 0) return refuse(`${FLAGS.hdr} takes no value`);
      hdr = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) return refuse(`unknown option: ${flag}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return refuse(`${flag} needs a value`);
    if (values.has(flag)) return refuse(`${flag} is given twice`);
    values.set(flag, value);
  }
  const chosen = command ?? 'rendition';
  if (!COMMANDS.includes(chosen as TranscoderCommand))
    return refuse(`unknown command: ${chosen} (one of ${COMMANDS.join(', ')})`);

  const location = values.get(SOURCE_FLAGS.location);
  const key = values.get(SOURCE_FLAGS.key);
  if (location !== undefined && key !== undefined)
    return refuse(`pass either ${SOURCE_FLAGS.location} or ${SOURCE_FLAGS.key}, not both`);
  const list = (flag: string) => {
    const value = values.get(flag);
    return value === undefined
      ? undefined
      : value
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  };
  const number = (flag: string) => {
    const value = values.get(flag);
    return value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value;
  };
  const candidate = {
    command: chosen,
    source:
      key !== undefined
        ? { kind: 'key', key }
        : location !== undefined
          ? { kind: 'location', value: location }
          : undefined,
    jobId: values.get(FLAGS.jobId),
    outputPrefix: values.get(FLAGS.outputPrefix),
    rendition: values.get(FLAGS.rendition),
    ...Object.fromEntries(NUMBER_FIELDS.map((field) => [field, number(FLAGS[field])])),
    videoBitrate: values.get(FLAGS.videoBitrate),
    audioBitrate: values.get(FLAGS.audioBitrate),
    renditions: list(FLAGS.renditions),
    codecs: list(FLAGS.codecs),
    hdr: hdr || undefined,
  };
  const present = Object.fromEntries(
    Object.entries(candidate).filter(([, value]) => value !== undefined),
  );
  const parsed = TranscoderInvocation.safeParse(present);
  if (!parsed.success) return refuse(describe(parsed.error, chosen, present));
  const unused = [...values.keys(), ...(hdr ? [FLAGS.hdr] : [])].filter(
    (flag) => !flagsOf(parsed.data).has(flag),
  );
  if (unused.length > 0) return refuse(`${unused.join(', ')}: not an option of ${chosen}`);
  return { ok: true, invocation: parsed.data };
}

function flagsOf(invocation: TranscoderInvocation): Set<string> {
  const argv = toArgv(invocation);
  return new Set(argv.filter((arg) => arg.startsWith('--')));
}

function describe(error: z.ZodError, command: string, given: Record<string, unknown>): string {
  return error.issues
    .map((issue) => {
      const field = issue.path[0];
      if (field === 'source') return `${SOURCE_FLAGS.location} or ${SOURCE_FLAGS.key} is required`;
      const flag = typeof field === 'string' ? FLAGS[field as keyof typeof FLAGS] : undefined;
      if (!flag) return `${command}: ${issue.message}`;
      return typeof field === 'string' && !(field in given)
        ? `${flag} is required`
        : `${flag}: ${issue.message}`;
    })
    .join('\n');
}
