import {
  parseArgv,
  type CodecFamily,
  renditionForName,
  type InvocationSource,
  type TranscoderInvocation,
} from '@videoforge/contracts';
import { InvalidStorageKeyError, validateStorageKey } from '@videoforge/platform/storage';
import { defaultTemplates, renditionTemplateOf, type RenditionTemplate } from '../plan/ladder.ts';

export const USAGE = `Usage:
  videoforge-transcode [rendition] SOURCE --rendition NAME [--height N --video-bitrate 2000k] [--audio-bitrate 128k] [--hdr] [--codecs h264,av1] --output-prefix videos/output/JOB/ --job-id JOB
  videoforge-transcode ladder      SOURCE [--renditions 1080p,720p] [--hdr] [--codecs h264,hevc,av1] --output-prefix videos/output/JOB/ --job-id JOB
  videoforge-transcode tracks      SOURCE [--audio-bitrate 128k] --output-prefix videos/output/JOB/ --job-id JOB
  videoforge-transcode chunk       SOURCE [--renditions 1080p,720p] [--codecs h264,av1] --chunk-index N --start-segment N --segment-count N --segment-seconds 6 --output-prefix videos/output/JOB/ --job-id JOB
  videoforge-transcode stitch      SOURCE [--renditions 1080p,720p] --chunks N --output-prefix videos/output/JOB/ --job-id JOB
  videoforge-transcode finalize    SOURCE [--renditions 1080p,720p] --output-prefix videos/output/JOB/ --job-id JOB
  videoforge-transcode probe       SOURCE

SOURCE is --source URL|PATH (a presigned https URL, or a file under TRANSCODE_SOURCE_DIRS)
or --source-key KEY (an object in the configured storage).

Exit codes: 0 done (or skipped: the source is smaller than the rendition), 2 bad input
(never retry), 1 transient failure (retry). Events go to stdout as JSON lines; logs to stderr.`;

export type SourceArg = InvocationSource;

export type CliCommand =
  | { command: 'probe'; source: SourceArg }
  | {
      command: 'rendition';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      rendition: RenditionTemplate;
      /** Also an HDR twin of the rendition, when the source is HDR. */
      hdr?: boolean;
      /** Codec families to encode; undefined: TRANSCODE_CODECS. */
      codecs?: CodecFamily[];
    }
  | {
      command: 'ladder';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      renditions: RenditionTemplate[] | undefined;
      hdr?: boolean;
      codecs?: CodecFamily[];
    }
  | {
      /** Every audio track (encoded once for all renditions) and text subtitle. */
      command: 'tracks';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      audioBitrateKbps: number | undefined;
    }
  | {
      /** One chunk of the chunked strategy: every rendition's video for its whole segments. */
      command: 'chunk';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      renditions: RenditionTemplate[] | undefined;
      codecs?: CodecFamily[];
      chunk: { index: number; startSegment: number; segmentCount: number; segmentSeconds: number };
    }
  | {
      /** Joins the chunks' segment lists into each rendition's playlist and MP4. */
      command: 'stitch';
      source: SourceArg;
      job: string;
      outputPrefix: string;
      renditions: RenditionTemplate[] | undefined;
      chunks: number;
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
 * Reads the command line with the shared invocation contract (contracts'
 * `parseArgv`, which the controller's `toArgv` writes), then checks what only this
 * side can: storage keys against the storage's rules, rendition names against the
 * default ladder. Nothing runs on a bad argument.
 */
export function parseCliArgs(argv: readonly string[]): CliParse {
  const parsed = parseArgv(argv);
  if (!parsed.ok)
    return parsed.help ? { ok: false, help: true, message: USAGE } : { ...parsed, help: false };
  return toCommand(parsed.invocation);
}

function toCommand(invocation: TranscoderInvocation): CliParse {
  const problems: string[] = [];
  const source = sourceArg(invocation.source, problems);
  if (invocation.command === 'probe')
    return finish(problems, source && { command: 'probe', source });

  const { jobId: job, outputPrefix } = invocation;
  if (!isStorageKey(outputPrefix)) problems.push('--output-prefix: is not a valid storage key');
  switch (invocation.command) {
    case 'rendition': {
      const rendition = renditionTemplate(invocation, problems);
      const hdr = invocation.hdr ? { hdr: true } : {};
      const codecs = invocation.codecs ? { codecs: invocation.codecs } : {};
      return finish(
        problems,
        source &&
          rendition && {
            command: 'rendition',
            source,
            job,
            outputPrefix,
            rendition,
            ...hdr,
            ...codecs,
          },
      );
    }
    case 'chunk':
      return finish(
        problems,
        source && {
          command: 'chunk',
          source,
          job,
          outputPrefix,
          renditions: namedTemplates(invocation.renditions),
          ...(invocation.codecs ? { codecs: invocation.codecs } : {}),
          chunk: {
            index: invocation.chunkIndex,
            startSegment: invocation.startSegment,
            segmentCount: invocation.segmentCount,
            segmentSeconds: invocation.segmentSeconds,
          },
        },
      );
    case 'stitch':
      return finish(
        problems,
        source && {
          command: 'stitch',
          source,
          job,
          outputPrefix,
          renditions: namedTemplates(invocation.renditions),
          chunks: invocation.chunks,
        },
      );
    case 'ladder': {
      const renditions = namedTemplates(invocation.renditions);
      return finish(
        problems,
        source && {
          command: 'ladder',
          source,
          job,
          outputPrefix,
          renditions,
          ...(invocation.hdr ? { hdr: true } : {}),
          ...(invocation.codecs ? { codecs: invocation.codecs } : {}),
        },
      );
    }
    case 'tracks': {
      const bitrate = invocation.audioBitrate;
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
          renditions: invocation.renditions,
        },
      );
  }
}

/** Default-ladder names, or a below-ladder source's own-size name ("240p"). */
function namedTemplates(names: readonly string[] | undefined): RenditionTemplate[] | undefined {
  return names
    ?.map(
      (name) =>
        defaultTemplates().find((t) => t.name === name) ??
        renditionTemplateOf(renditionForName(name)),
    )
    .filter((t) => t !== undefined);
}

function sourceArg(source: InvocationSource, problems: string[]): SourceArg | undefined {
  if (source.kind === 'location') return source;
  if (isStorageKey(source.key)) return source;
  problems.push('--source-key: is not a valid storage key');
  return undefined;
}

function renditionTemplate(
  invocation: Extract<TranscoderInvocation, { command: 'rendition' }>,
  problems: string[],
): RenditionTemplate | undefined {
  const name = invocation.rendition;
  const known = defaultTemplates().find((template) => template.name === name);
  const height = invocation.height ?? known?.height;
  const bitrate = invocation.videoBitrate ?? (known ? `${known.videoBitrateKbps}k` : undefined);
  if (height === undefined || bitrate === undefined) {
    problems.push(
      `--rendition ${name} is not in the default ladder; pass --height and --video-bitrate`,
    );
    return undefined;
  }
  return renditionTemplateOf({
    name,
    height,
    videoBitrate: bitrate,
    audioBitrate: invocation.audioBitrate,
  });
}

function finish(problems: string[], command: CliCommand | undefined): CliParse {
  if (problems.length > 0 || !command)
    return { ok: false, help: false, message: problems.join('\n') };
  return { ok: true, command };
}
