import { realpath } from 'node:fs/promises';
import path from 'node:path';
import {
  TRANSCODER_EXIT,
  type FailureKind,
  type TranscoderEvent,
  type TranscoderExitCode,
} from '@videoforge/contracts';
import type { Logger } from '@videoforge/platform/logging';
import {
  describeSource,
  withoutUrlCredentials,
  type SourceInput,
} from '@videoforge/platform/media';
import type { LocalStorage, StoragePort } from '@videoforge/platform/storage';
import { parseCliArgs, USAGE, type CliCommand, type SourceArg } from './cli-args.ts';
import { toSourcePolicy, toTranscoderSettings, type TranscoderEnv } from '../config.ts';
import { finalizeOutputs } from '../steps/finalize.service.ts';
import { transcodeChunk } from '../steps/chunk.service.ts';
import { stitchChunks } from '../steps/stitch.service.ts';
import { probeDepsOf, probeSource } from '../source/source-probe.ts';
import { resolveSource } from '../source/source-policy.ts';
import {
  transcodeTracks,
  transcodeRenditions,
  type TranscodeFailure,
} from '../steps/transcode.service.ts';

/** The exit codes are the invocation contract's (contracts/src/transcoder-invocation.ts). */
export type ExitCode = TranscoderExitCode;

export function exitCodeFor(kind: FailureKind): ExitCode {
  switch (kind) {
    case 'bad-input':
      return TRANSCODER_EXIT.badInput;
    // A cancel comes from the controller, which already knows; to anything else it
    // looks like an interrupted run, which is what a transient failure is.
    case 'transient':
    case 'cancelled':
      return TRANSCODER_EXIT.transient;
  }
}

export interface CliDeps {
  env: TranscoderEnv;
  /** Built on first use: `probe --source` needs no storage. */
  storage: () => Promise<StoragePort>;
  /** One JSON event per call, for stdout. */
  emit: (event: TranscoderEvent) => void;
  /** Usage and argument errors, for stderr. */
  printError: (text: string) => void;
  logger: Logger;
  signal: AbortSignal;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    deps.printError(parsed.help ? parsed.message : `${parsed.message}\n\n${USAGE}`);
    return parsed.help ? TRANSCODER_EXIT.ok : TRANSCODER_EXIT.badInput;
  }
  const { command } = parsed;
  const job = command.command === 'probe' ? 'probe' : command.job;
  const fail = (raw: TranscodeFailure): ExitCode => {
    // Failure messages quote ffmpeg, which quotes the (presigned) source URL.
    const failure = { ...raw, message: withoutUrlCredentials(raw.message) };
    deps.emit({ event: 'failed', job, ...failure });
    deps.logger.warn({ job, ...failure }, 'transcoder failed');
    return exitCodeFor(failure.kind);
  };

  let source: SourceInput;
  try {
    const resolved = await resolveCliSource(command.source, deps);
    if (!resolved.ok) return fail(resolved.failure);
    source = resolved.source;
  } catch (error) {
    return fail({
      kind: 'transient',
      code: 'storage-unavailable',
      message: error instanceof Error ? error.message : String(error),
    });
  }
  deps.logger.info(
    { job, command: command.command, source: describeSource(source) },
    'transcoder starting',
  );
  return dispatch(command, source, deps, fail);
}

async function dispatch(
  command: CliCommand,
  source: SourceInput,
  deps: CliDeps,
  fail: (failure: TranscodeFailure) => ExitCode,
): Promise<ExitCode> {
  const settings = toTranscoderSettings(deps.env);
  const workRoot = deps.env.TRANSCODE_WORK_DIR;
  switch (command.command) {
    case 'probe': {
      const result = await probeSource(source, probeDepsOf(settings), deps.signal);
      if (!result.ok) return fail(result.reason);
      deps.emit({ event: 'probed', job: 'probe', metadata: result.metadata });
      return TRANSCODER_EXIT.ok;
    }
    case 'rendition':
    case 'ladder': {
      const outcome = await transcodeRenditions(
        {
          jobId: command.job,
          source,
          outputPrefix: command.outputPrefix,
          strategy: command.command === 'ladder' ? 'ladder' : 'perRendition',
          renditions: command.command === 'ladder' ? command.renditions : [command.rendition],
          hdr: command.hdr === true,
          codecs: command.codecs,
          signal: deps.signal,
          onEvent: deps.emit,
        },
        { settings, storage: await deps.storage(), workRoot },
      );
      if (outcome.status === 'failed') return exitCodeFor(outcome.failure.kind);
      deps.logger.info(
        { job: command.job, renditions: outcome.renditions, skipped: outcome.skipped },
        'transcode done',
      );
      return TRANSCODER_EXIT.ok;
    }
    case 'tracks': {
      const outcome = await transcodeTracks(
        {
          jobId: command.job,
          source,
          outputPrefix: command.outputPrefix,
          audioBitrateKbps: command.audioBitrateKbps,
          signal: deps.signal,
          onEvent: deps.emit,
        },
        { settings, storage: await deps.storage(), workRoot },
      );
      if (outcome.status === 'failed') return exitCodeFor(outcome.failure.kind);
      deps.logger.info(
        {
          job: command.job,
          audio: outcome.tracks.audio.map((a) => a.id),
          subtitles: outcome.tracks.subtitles.map((s) => s.id),
          skipped: outcome.tracks.skipped,
        },
        'tracks done',
      );
      return TRANSCODER_EXIT.ok;
    }
    case 'chunk': {
      const outcome = await transcodeChunk(
        {
          jobId: command.job,
          source,
          outputPrefix: command.outputPrefix,
          renditions: command.renditions,
          codecs: command.codecs,
          chunk: command.chunk,
          signal: deps.signal,
          onEvent: deps.emit,
        },
        { settings, storage: await deps.storage(), workRoot },
      );
      if (outcome.status === 'failed') return exitCodeFor(outcome.failure.kind);
      deps.logger.info(
        { job: command.job, chunk: command.chunk.index, renditions: outcome.manifest.renditions },
        'chunk done',
      );
      return TRANSCODER_EXIT.ok;
    }
    case 'stitch': {
      const outcome = await stitchChunks(
        {
          jobId: command.job,
          source,
          outputPrefix: command.outputPrefix,
          renditions: command.renditions,
          chunks: command.chunks,
          signal: deps.signal,
          onEvent: deps.emit,
        },
        { settings, storage: await deps.storage(), workRoot },
      );
      if (outcome.status === 'failed') return exitCodeFor(outcome.failure.kind);
      deps.logger.info({ job: command.job, renditions: outcome.renditions }, 'stitch done');
      return TRANSCODER_EXIT.ok;
    }
    case 'finalize': {
      const outcome = await finalizeOutputs(
        {
          jobId: command.job,
          source,
          outputPrefix: command.outputPrefix,
          expectedRenditions: command.renditions,
          signal: deps.signal,
          onEvent: deps.emit,
        },
        { settings, storage: await deps.storage(), workRoot },
      );
      if (outcome.status === 'failed') return exitCodeFor(outcome.failure.kind);
      deps.logger.info({ job: command.job, master: outcome.masterKey }, 'finalize done');
      return TRANSCODER_EXIT.ok;
    }
  }
}

type Resolved = { ok: true; source: SourceInput } | { ok: false; failure: TranscodeFailure };

/**
 * A storage key becomes the local adapter's file (all-in-one mode: no HTTP round trip)
 * or a presigned GET. Local paths are checked again after resolving symlinks, so a link
 * inside an allowed directory cannot point ffmpeg elsewhere.
 */
async function resolveCliSource(arg: SourceArg, deps: CliDeps): Promise<Resolved> {
  let location: string;
  let extraRoots: string[] = [];
  switch (arg.kind) {
    case 'location':
      location = arg.value;
      break;
    case 'key': {
      const storage = await deps.storage();
      if (isLocalStorage(storage)) {
        location = storage.filePath(arg.key);
        extraRoots = [path.resolve(deps.env.LOCAL_STORAGE_DIR)];
      } else {
        location = await storage.presignGet(arg.key, {
          expiresInSeconds: deps.env.TRANSCODE_SOURCE_URL_SECONDS,
        });
      }
      break;
    }
  }
  const policy = toSourcePolicy(deps.env, extraRoots);
  const refused = (reason: string): Resolved => ({
    ok: false,
    failure: { kind: 'bad-input', code: 'source-not-allowed', message: reason },
  });
  const decision = resolveSource(location, policy);
  if (!decision.ok) return refused(decision.reason);
  if (decision.source.kind === 'url') return decision;
  let real: string;
  try {
    real = await realpath(decision.source.path);
  } catch {
    return {
      ok: false,
      failure: {
        kind: 'bad-input',
        code: 'source-not-found',
        message: 'the source file does not exist',
      },
    };
  }
  const again = resolveSource(real, policy);
  return again.ok ? again : refused(again.reason);
}

function isLocalStorage(storage: StoragePort): storage is LocalStorage {
  return (
    storage.kind === 'local' && 'filePath' in storage && typeof storage.filePath === 'function'
  );
}
