import {
  parseArgv,
  TRANSCODER_USAGE,
  type TranscoderInvocation,
  type TranscoderSource,
} from '@videoforge/contracts';
import { InvalidStorageKeyError, validateStorageKey } from '@videoforge/platform/storage';
import { DEFAULT_TEMPLATES, templateFromSpec, type RungTemplate } from '../plan/ladder.ts';

export const USAGE = TRANSCODER_USAGE;

export type SourceArg = TranscoderSource;

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

function isStorageKey(key: string): boolean {
  try {
    validateStorageKey(key, { allowPrefix: true });
    return true;
  } catch (error) {
    if (error instanceof InvalidStorageKeyError) return false;
    throw error;
  }
}

/**
 * The command line as contracts' parseArgv reads it, then what only the transcoder
 * knows: which storage keys are valid and what the default ladder's rungs are.
 */
export function parseCliArgs(argv: readonly string[]): CliParse {
  const parsed = parseArgv(argv);
  if (!parsed.ok) return parsed;
  return toCommand(parsed.invocation);
}

function toCommand(invocation: TranscoderInvocation): CliParse {
  const problems: string[] = [];
  if (invocation.source.kind === 'key' && !isStorageKey(invocation.source.key))
    problems.push('--source-key: is not a valid storage key');
  const { source } = invocation;
  if (invocation.command === 'probe') return finish(problems, { command: 'probe', source });

  const { jobId: job, outputPrefix } = invocation;
  if (!isStorageKey(outputPrefix)) problems.push('--output-prefix: is not a valid storage key');
  const hdr = 'hdr' in invocation && invocation.hdr ? { hdr: true } : {};
  switch (invocation.command) {
    case 'rendition': {
      const rendition = renditionTemplate(invocation.rendition, problems);
      return finish(
        problems,
        rendition && { command: 'rendition', source, job, outputPrefix, rendition, ...hdr },
      );
    }
    case 'ladder': {
      const renditions = invocation.renditions?.map((name) => {
        const template = DEFAULT_TEMPLATES.find((t) => t.name === name);
        if (!template) problems.push(`--renditions: ${name} is not in the default ladder`);
        return template;
      });
      return finish(problems, {
        command: 'ladder',
        source,
        job,
        outputPrefix,
        renditions: renditions?.filter((t) => t !== undefined),
        ...hdr,
      });
    }
    case 'tracks': {
      const bitrate = invocation.audioBitrate;
      return finish(problems, {
        command: 'tracks',
        source,
        job,
        outputPrefix,
        audioBitrateKbps: bitrate ? Number.parseInt(bitrate, 10) : undefined,
      });
    }
    case 'finalize':
      return finish(problems, {
        command: 'finalize',
        source,
        job,
        outputPrefix,
        renditions: invocation.renditions,
      });
  }
}

type RenditionArgs = Extract<TranscoderInvocation, { command: 'rendition' }>['rendition'];

function renditionTemplate(args: RenditionArgs, problems: string[]): RungTemplate | undefined {
  const { name } = args;
  const known = DEFAULT_TEMPLATES.find((template) => template.name === name);
  const height = args.height ?? known?.height;
  const bitrate = args.videoBitrate ?? (known ? `${known.videoBitrateKbps}k` : undefined);
  if (height === undefined || bitrate === undefined) {
    problems.push(
      `--rendition ${name} is not in the default ladder; pass --height and --video-bitrate`,
    );
    return undefined;
  }
  return templateFromSpec({ name, height, videoBitrate: bitrate, audioBitrate: args.audioBitrate });
}

function finish(problems: string[], command: CliCommand | undefined): CliParse {
  if (problems.length > 0 || !command)
    return { ok: false, help: false, message: problems.join('\n') };
  return { ok: true, command };
}
