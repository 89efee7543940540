import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  TRACKS_DIR,
  type CodecFamily,
  type FailureKind,
  type MediaMetadata,
  type RenditionQuality,
  type TracksManifest,
  type TranscodeJobStrategy,
  type TranscoderEvent,
  familyOfVariant,
  liveManifestKey,
  renditionPrefix,
} from '@videoforge/contracts';
import { classifySourceError, type SourceInput } from '@videoforge/platform/media';
import type { StoragePort } from '@videoforge/platform/storage';
import {
  buildLadderCommand,
  buildRenditionCommand,
  type EncoderSettings,
  type EncodeInput,
  type FfmpegCommand,
  type RenditionOutput,
} from '../ffmpeg/ffmpeg-command.builder.ts';
import type { ColourSettings } from '../plan/colour.ts';
import { detectInterlacing, type DeinterlaceRate } from '../plan/deinterlace.ts';
import { hdrTwin } from '../plan/hdr-variant.ts';
import { extraFamilies, familyTwin } from '../plan/codec-family-variant.ts';
import { runFfmpeg, type RunOutcome } from '../ffmpeg/ffmpeg.runner.ts';
import {
  defaultTemplates,
  planLadder,
  selectRendition,
  type LadderPlan,
  type PlannedRendition,
  type RenditionTemplate,
} from '../plan/ladder.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import type { ProbeLimits } from '../source/probe-limits.ts';
import { probeDepsOf, probeSource } from '../source/source-probe.ts';
import { describeRendition, type EncodedRendition } from './rendition-output.service.ts';
import {
  audioFilterChains,
  TRACK_FILES,
  trackDir,
  trackOutputs,
  type TracksPlan,
} from '../ffmpeg/tracks-command.builder.ts';
import { finishPlaylists, startLiveEncode, type LiveTarget } from './live-outputs.service.ts';
import {
  describeTracks,
  planTracks,
  prepareTrackDirs,
  runTracks,
  uploadTracks,
  type EncodedTracks,
} from './tracks.service.ts';
import { uploadFiles } from '../output/upload.service.ts';
import { measureVariantsQuality, type QualitySettings } from '../quality/quality.service.ts';

export interface TranscoderSettings {
  ffmpegPath: string;
  ffprobePath: string;
  encoder: EncoderSettings;
  /** The codec families a job gets when it names none (TRANSCODE_CODECS). */
  codecs: readonly CodecFamily[];
  keyframeIntervalSeconds: number;
  maxFrameRate: number;
  /** HDR → SDR tone-map curve and nominal peak. */
  colour: ColourSettings;
  /** Deinterlace to field rate (when the frame-rate cap allows) or frame rate. */
  deinterlaceRate: DeinterlaceRate;
  /** Time limit for one ffmpeg run. */
  timeoutMs: number;
  probeTimeoutMs: number;
  probeLimits: ProbeLimits;
  /** Measured SSIM/PSNR per rendition (TRANSCODE_QUALITY_METRICS). */
  quality: QualitySettings;
}

export interface TranscodeFailure {
  kind: FailureKind;
  code: string;
  message: string;
}

/** A step's unexpected error as a failure: cancelled when its signal was, else transient. */
export function stepFailure(error: unknown, signal?: AbortSignal): TranscodeFailure {
  return signal?.aborted
    ? { kind: 'cancelled', code: 'cancelled', message: 'cancelled' }
    : {
        kind: 'transient',
        code: 'upload-failed',
        message: error instanceof Error ? error.message : String(error),
      };
}

export type EncodeOutcome =
  | {
      ok: true;
      renditions: EncodedRendition[];
      tracks?: EncodedTracks;
      /** Storage prefixes the live publisher wrote to. */
      livePrefixes?: readonly string[];
      publishedTracks?: ReadonlySet<string>;
    }
  | { ok: false; failure: TranscodeFailure };

export interface EncodeRequest {
  source: SourceInput;
  metadata: MediaMetadata;
  plan: LadderPlan;
  /** An existing directory; each rendition writes to `{workDir}/{rendition}/`. */
  workDir: string;
  onProgress?: ((percent: number) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Upload segments as ffmpeg closes them, so players can start before the end. */
  live?: LiveTarget | undefined;
}

/** One rendition, one ffmpeg: what a Kubernetes Job per rendition runs. */
export function runRendition(
  request: EncodeRequest & { rendition: PlannedRendition },
  settings: TranscoderSettings,
): Promise<EncodeOutcome> {
  const output = renditionOutput(request.workDir, request.rendition);
  return encode(
    buildRenditionCommand(encodeInput(request, settings), output),
    [output],
    request,
    settings,
  );
}

/**
 * Every rendition from one ffmpeg that decodes the source once; with `tracks`, every audio
 * track (encoded once, shared by the renditions) and text subtitle comes out of the same run.
 */
export async function runLadder(
  request: EncodeRequest & {
    renditions: readonly PlannedRendition[];
    tracks?: TracksPlan | undefined;
  },
  settings: TranscoderSettings,
): Promise<EncodeOutcome> {
  const outputs = request.renditions.map((rendition) =>
    renditionOutput(request.workDir, rendition),
  );
  const { tracks } = request;
  const tracksDir = path.join(request.workDir, 'tracks');
  if (tracks) await prepareTrackDirs(tracks, tracksDir);
  const command = buildLadderCommand(
    encodeInput(request, settings),
    outputs,
    tracks && {
      filterChains: audioFilterChains(tracks.audio),
      outputs: trackOutputs(tracks, tracksDir, settings.encoder.segmentSeconds),
    },
  );
  const encoded = await encode(
    command,
    outputs,
    request,
    settings,
    tracks ? { plan: tracks, dir: tracksDir } : undefined,
  );
  if (!encoded.ok || !tracks) return encoded;
  await finishPlaylists(
    tracks.audio.map((track) => path.join(trackDir(tracksDir, track.id), TRACK_FILES.playlist)),
  );
  const described = await describeTracks(
    tracks,
    tracksDir,
    request.metadata,
    settings.encoder.segmentSeconds,
  );
  if (!described.ok) {
    await removeLive(request.live, encoded.livePrefixes);
    return { ok: false, failure: described.failure };
  }
  return {
    ...encoded,
    tracks: { ...described.tracks, published: encoded.publishedTracks ?? new Set() },
  };
}

function renditionOutput(workDir: string, rendition: PlannedRendition): RenditionOutput {
  return { rendition: rendition, dir: path.join(workDir, rendition.name) };
}

function encodeInput(request: EncodeRequest, settings: TranscoderSettings): EncodeInput {
  return {
    source: request.source,
    metadata: request.metadata,
    plan: request.plan,
    settings: settings.encoder,
  };
}

async function encode(
  command: FfmpegCommand,
  outputs: readonly RenditionOutput[],
  request: EncodeRequest,
  settings: TranscoderSettings,
  tracks?: { plan: TracksPlan; dir: string },
): Promise<EncodeOutcome> {
  await Promise.all(outputs.map((output) => rm(output.dir, { recursive: true, force: true })));
  await Promise.all(outputs.map((output) => mkdir(output.dir, { recursive: true })));
  const partialOutputs = [...outputs.map((output) => output.dir), ...(tracks ? [tracks.dir] : [])];
  const live =
    request.live &&
    (await startLiveEncode(request.live, outputs, request.plan, tracks, request.signal));
  const run = await runFfmpeg(command, {
    ffmpegPath: settings.ffmpegPath,
    durationSeconds: request.metadata.durationSeconds,
    timeoutMs: settings.timeoutMs,
    signal: request.signal,
    onProgress: request.onProgress,
    partialOutputs,
  }).finally(() => live?.publishing.stop());
  if (!run.ok) {
    await removeLive(request.live, live?.prefixes);
    return { ok: false, failure: failureFromRun(run) };
  }
  await finishPlaylists(outputs.map((output) => path.join(output.dir, RENDITION_FILES.playlist)));

  const renditions: EncodedRendition[] = [];
  for (const output of outputs) {
    const described = await describeRendition(
      output.dir,
      output.rendition,
      request.plan,
      request.metadata,
      {
        ffprobePath: settings.ffprobePath,
        timeoutMs: settings.probeTimeoutMs,
      },
    );
    if (!described.ok) {
      await Promise.all(partialOutputs.map((dir) => rm(dir, { recursive: true, force: true })));
      await removeLive(request.live, live?.prefixes);
      return {
        ok: false,
        failure: { kind: described.kind, code: described.code, message: described.message },
      };
    }
    renditions.push({ ...described.rendition, published: live?.publishedFor(output.dir) });
  }
  return {
    ok: true,
    renditions,
    ...(live ? { livePrefixes: live.prefixes, publishedTracks: live.publishedTracks() } : {}),
  };
}

/** A failed encode takes back what it published live: nothing half-done stays playable. */
async function removeLive(
  target: LiveTarget | undefined,
  prefixes: readonly string[] | undefined,
): Promise<void> {
  if (!target || !prefixes) return;
  await Promise.allSettled(prefixes.map((prefix) => target.storage.deletePrefix(prefix)));
}

/**
 * A failed ffmpeg run as a typed failure: what the source's own errors say is bad input
 * (never retried); a crash, a kill or an unexplained exit is transient.
 */
export function failureFromRun(
  run: Exclude<RunOutcome, { ok: true }>,
  context = '',
): TranscodeFailure {
  switch (run.reason) {
    case 'cancelled':
      return { kind: 'cancelled', code: 'cancelled', message: run.message };
    case 'timeout':
      return { kind: 'transient', code: 'timeout', message: `${context}${run.message}` };
    case 'failed': {
      const cause = classifySourceError(run.stderr);
      return cause.kind === 'bad-input'
        ? { ...cause, message: `${context}${cause.message}` }
        : {
            kind: 'transient',
            code: 'ffmpeg-failed',
            message: `${context}${run.message}${run.stderr ? `: ${run.stderr.split('\n').at(-1)}` : ''}`,
          };
    }
  }
}

export interface TranscodeJobRequest {
  jobId: string;
  source: SourceInput;
  /** `videos/output/{jobId}/`. */
  outputPrefix: string;
  /** perRendition: one ffmpeg per rendition; ladder: one ffmpeg decodes once for every rendition. */
  strategy: TranscodeJobStrategy;
  /** The renditions to produce (defaults overridden by name); undefined: every rendition the source fits. */
  renditions?: readonly RenditionTemplate[] | undefined;
  /** Also make an HDR twin ("720p-hdr", HEVC Main10 PQ/HLG) of each rendition when the source is HDR. */
  hdr?: boolean | undefined;
  /** The codec families to make, H.264 first in the master; undefined: the server's default. */
  codecs?: readonly CodecFamily[] | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: TranscoderEvent) => void) | undefined;
}

export interface TranscodeJobDeps {
  settings: TranscoderSettings;
  storage: StoragePort;
  /** Where a job's temporary directory is created (and removed afterwards). */
  workRoot: string;
}

export interface UploadedRendition {
  name: string;
  /** Key of the rendition's media playlist. */
  outputKey: string;
  bytes: number;
}

export type TranscodeOutcome =
  | {
      status: 'succeeded';
      metadata: MediaMetadata;
      renditions: UploadedRendition[];
      skipped: Array<{ name: string; reason: string }>;
      /** The ladder strategy's audio and subtitle tracks. */
      tracks?: TracksManifest;
    }
  | { status: 'failed'; failure: TranscodeFailure };

/**
 * A whole transcode: probe, fit the ladder, encode (per rendition or decode-once),
 * check, upload under `{outputPrefix}{rendition}/`. A failure removes what this run
 * uploaded, so bad input leaves nothing behind.
 */
export async function transcodeRenditions(
  request: TranscodeJobRequest,
  deps: TranscodeJobDeps,
): Promise<TranscodeOutcome> {
  const { settings, storage } = deps;
  const emit = request.onEvent ?? (() => undefined);
  const failed = (failure: TranscodeFailure): TranscodeOutcome => {
    emit({ event: 'failed', job: request.jobId, ...failure });
    return { status: 'failed', failure };
  };

  const probed = await probeSource(request.source, probeDepsOf(settings), request.signal);
  if (!probed.ok) return failed(probed.reason);
  const { metadata } = probed;
  emit({ event: 'probed', job: request.jobId, metadata });

  const templates = mergeTemplates(defaultTemplates(), request.renditions ?? []);
  const plan = await planForSource(request.source, metadata, templates, settings, request.signal);
  const wanted = request.renditions?.map((template) => template.name);
  const selected: PlannedRendition[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  for (const name of new Set(wanted ?? plan.renditions.map((rendition) => rendition.name))) {
    const rendition = selectRendition(plan, name, templates);
    // A source below the lowest rendition answers "360p" with its own size ("240p"); the
    // manifest records what was asked, so finalize can match the TranscodeJob's list.
    if (rendition)
      selected.push(rendition.name === name ? rendition : { ...rendition, requestedName: name });
    else {
      const reason = `the source (${metadata.video.displayWidth}×${metadata.video.displayHeight}) is smaller than ${name}; renditions are never upscaled`;
      skipped.push({ name, reason });
      emit({ event: 'rendition-skipped', job: request.jobId, rendition: name, reason });
    }
  }

  const workDir = await mkdtemp(path.join(deps.workRoot, `videoforge-${request.jobId}-`));
  const uploaded: UploadedRendition[] = [];
  // What the live publisher wrote before the final uploads, removed with them on failure.
  const livePrefixes: string[] = [];
  let tracks: TracksManifest | undefined;
  try {
    const progress = (done: number, total: number) => (percent: number) =>
      emit({
        event: 'progress',
        job: request.jobId,
        renditions: selected.map((rendition) => rendition.name),
        percent: Math.round(((done + percent / 100) / total) * 1000) / 10,
      });
    const upload = async (rendition: EncodedRendition): Promise<void> => {
      const prefix = renditionPrefix(request.outputPrefix, rendition.manifest.name);
      const published = rendition.published ?? new Set<string>();
      // A retry starts from an empty prefix, so no stale segment outlives it (a live
      // encode emptied it before ffmpeg started).
      if (published.size === 0) await storage.deletePrefix(prefix);
      uploaded.push({
        name: rendition.manifest.name,
        outputKey: `${prefix}${RENDITION_FILES.playlist}`,
        bytes: rendition.manifest.bytes,
      });
      await uploadFiles(
        storage,
        prefix,
        rendition.files
          .filter((name) => !published.has(name))
          .map((name) => ({ name, path: path.join(rendition.dir, name) })),
        request.signal,
      );
      // rendition.json is up: the rendition is finished, no longer live.
      await storage.delete(liveManifestKey(request.outputPrefix, rendition.manifest.name));
      emit({
        event: 'rendition-uploaded',
        job: request.jobId,
        rendition: rendition.manifest.name,
        outputKey: `${prefix}${RENDITION_FILES.playlist}`,
        bytes: rendition.manifest.bytes,
        ...(rendition.manifest.processing &&
        rendition.manifest.videoRange !== 'PQ' &&
        rendition.manifest.videoRange !== 'HLG'
          ? { processing: rendition.manifest.processing }
          : {}),
      });
    };
    const base = {
      source: request.source,
      metadata,
      plan,
      workDir,
      signal: request.signal,
      live: {
        storage,
        outputPrefix: request.outputPrefix,
        onRenditionLive: (rendition: string, publishedAt: string) =>
          emit({ event: 'rendition-live', job: request.jobId, rendition, publishedAt }),
      },
    };
    // Uploads wait on the network while the comparison keeps a core busy, so they run
    // side by side; the quality events follow the uploads they describe.
    const uploadAndMeasure = async (
      renditions: readonly EncodedRendition[],
      encodedRenditions: readonly PlannedRendition[],
    ): Promise<void> => {
      const measured = measureAll(renditions, encodedRenditions, {
        source: request.source,
        plan,
        signal: request.signal,
        settings,
      });
      for (const rendition of twinsFirst(renditions)) await upload(rendition);
      for (const { rendition, variant, quality } of await measured)
        emit({ event: 'rendition-quality', job: request.jobId, rendition, variant, quality });
    };

    const colour = plan.video.colour;
    const families = extraFamilies(request.codecs ?? settings.codecs);
    // A rendition's twins: its HDR twin, then one per further codec family, all from its decode.
    const twinOf = (rendition: PlannedRendition): PlannedRendition[] => [
      ...(request.hdr && colour.kind === 'tone-map' ? [hdrTwin(rendition, colour.range)] : []),
      ...families.map((family) => familyTwin(rendition, family)),
    ];
    if (selected.length > 0 && request.strategy === 'ladder') {
      const ladderRenditions = [...selected, ...selected.flatMap(twinOf)];
      const outcome = await runLadder(
        {
          ...base,
          renditions: ladderRenditions,
          // Audio is shared by every rendition, so the highest audio bit rate asked for wins.
          tracks: planTracks(
            metadata,
            Math.max(0, ...selected.map((r) => r.audioBitrateKbps ?? 0)) || plan.audio?.bitrateKbps,
          ),
          onProgress: progress(0, 1),
        },
        settings,
      );
      if (!outcome.ok)
        return failed(
          await removeUploads(
            storage,
            request.outputPrefix,
            uploaded,
            livePrefixes,
            outcome.failure,
          ),
        );
      livePrefixes.push(...(outcome.livePrefixes ?? []));
      // Tracks first: a rendition is playable once its manifest exists, and must have sound then.
      if (outcome.tracks) {
        uploaded.push({ name: 'tracks', outputKey: '', bytes: 0 });
        await uploadTracks(storage, request.outputPrefix, outcome.tracks, request.signal);
        tracks = outcome.tracks.manifest;
      }
      await uploadAndMeasure(outcome.renditions, ladderRenditions);
    } else {
      for (const [index, rendition] of selected.entries()) {
        const twins = twinOf(rendition);
        const onProgress = progress(index, selected.length);
        // A rendition and its HDR twin come from one decode.
        const outcome =
          twins.length > 0
            ? await runLadder({ ...base, renditions: [rendition, ...twins], onProgress }, settings)
            : await runRendition({ ...base, rendition: rendition, onProgress }, settings);
        if (!outcome.ok)
          return failed(
            await removeUploads(
              storage,
              request.outputPrefix,
              uploaded,
              livePrefixes,
              outcome.failure,
            ),
          );
        livePrefixes.push(...(outcome.livePrefixes ?? []));
        await uploadAndMeasure(outcome.renditions, [rendition, ...twins]);
      }
    }
    return {
      status: 'succeeded',
      metadata,
      renditions: uploaded.filter((r) => r.name !== 'tracks'),
      skipped,
      ...(tracks ? { tracks } : {}),
    };
  } catch (error) {
    const failure = stepFailure(error, request.signal);
    return failed(
      await removeUploads(storage, request.outputPrefix, uploaded, livePrefixes, failure),
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** One `rendition-quality` event's content: which rendition, which of its variants, what figure. */
interface MeasuredQuality {
  rendition: string;
  variant: string;
  quality: RenditionQuality;
}

/**
 * Each rendition's and each of its twins' measured quality, named as the TranscodeJob
 * asked for the rendition. A rendition and its twins (same size, same decode) are
 * compared in one ffmpeg run that decodes the source's sample once; one rendition after
 * another, each run keeping about one core busy.
 */
async function measureAll(
  renditions: readonly EncodedRendition[],
  planned: readonly PlannedRendition[],
  context: {
    source: SourceInput;
    plan: LadderPlan;
    signal: AbortSignal | undefined;
    settings: TranscoderSettings;
  },
): Promise<MeasuredQuality[]> {
  const { settings } = context;
  const results: MeasuredQuality[] = [];
  if (settings.quality.mode === 'off') return results;
  const bases = planned.filter((r) => !r.hdr && familyOfVariant(r.name) === 'h264');
  for (const base of bases) {
    const variants = planned
      .filter((r) => r === base || baseOfVariant(r.name) === base.name)
      .flatMap((target) => {
        const rendition = renditions.find((r) => r.manifest.name === target.name);
        return rendition ? [{ planned: target, rendition }] : [];
      });
    const measured = await measureVariantsQuality(
      { source: context.source, plan: context.plan, variants, signal: context.signal },
      settings,
    );
    for (const { planned: variant } of variants) {
      const quality = measured.get(variant.name);
      if (quality)
        results.push({
          rendition: base.requestedName ?? base.name,
          variant: variant.name,
          quality,
        });
    }
  }
  return results;
}

/** The rendition a variant is a twin of: "720p" for "720p-av1" and "720p-hdr". */
function baseOfVariant(name: string): string {
  return name.replace(/-(hdr|hevc|av1)$/, '');
}

async function removeUploads(
  storage: StoragePort,
  outputPrefix: string,
  uploaded: readonly UploadedRendition[],
  livePrefixes: readonly string[],
  failure: TranscodeFailure,
): Promise<TranscodeFailure> {
  const prefixes = new Set([
    ...uploaded.map((rendition) => renditionPrefix(outputPrefix, rendition.name)),
    ...livePrefixes,
  ]);
  await Promise.allSettled([...prefixes].map((prefix) => storage.deletePrefix(prefix)));
  return failure;
}

/**
 * Twins (HDR, other codec families) go up before the H.264 rendition they belong to: a
 * runtime that sees an H.264 rendition's manifest in storage counts that rendition (and its
 * twins) as done, so the twins must already be there when finalize reads the manifests.
 */
function twinsFirst(renditions: readonly EncodedRendition[]): EncodedRendition[] {
  const isTwin = (r: EncodedRendition) =>
    r.manifest.videoRange === 'PQ' ||
    r.manifest.videoRange === 'HLG' ||
    familyOfVariant(r.manifest.name) !== 'h264';
  return [...renditions.filter(isTwin), ...renditions.filter((r) => !isTwin(r))];
}

/**
 * The ladder for this source, after the one look at the pixels planning needs: an idet
 * pass when the container does not state a field order.
 */
export async function planForSource(
  source: SourceInput,
  metadata: MediaMetadata,
  templates: readonly RenditionTemplate[],
  settings: TranscoderSettings,
  signal?: AbortSignal,
): Promise<LadderPlan> {
  const interlace = await detectInterlacing(source, metadata.video, {
    ffmpegPath: settings.ffmpegPath,
    timeoutMs: settings.probeTimeoutMs,
    signal,
  });
  return planLadder(metadata, {
    templates,
    maxFrameRate: settings.maxFrameRate,
    keyframeIntervalSeconds: settings.keyframeIntervalSeconds,
    colour: settings.colour,
    interlace,
    deinterlaceRate: settings.deinterlaceRate,
  });
}

/** Requested renditions replace same-named defaults and add new ones. */
export function mergeTemplates(
  defaults: readonly RenditionTemplate[],
  requested: readonly RenditionTemplate[],
): RenditionTemplate[] {
  const byName = new Map(defaults.map((template) => [template.name, template]));
  for (const template of requested) byName.set(template.name, template);
  return [...byName.values()];
}

export type TracksJobOutcome =
  | { status: 'succeeded'; metadata: MediaMetadata; tracks: TracksManifest }
  | { status: 'failed'; failure: TranscodeFailure };

/**
 * The per-rendition strategy's `tracks` workload: every audio track encoded once (and
 * shared by every rendition's Job) and every text subtitle as WebVTT, uploaded under
 * `{outputPrefix}tracks/` with tracks.json last. A source without audio or subtitles
 * still gets a tracks.json (with empty lists) so finalize and the API know it is done.
 */
export async function transcodeTracks(
  request: Omit<TranscodeJobRequest, 'strategy' | 'renditions'> & {
    /** Stereo AAC bit rate (mono gets half); the default is the ladder's 128k. */
    audioBitrateKbps?: number | undefined;
  },
  deps: TranscodeJobDeps,
): Promise<TracksJobOutcome> {
  const { settings, storage } = deps;
  const emit = request.onEvent ?? (() => undefined);
  const failed = (failure: TranscodeFailure): TracksJobOutcome => {
    emit({ event: 'failed', job: request.jobId, ...failure });
    return { status: 'failed', failure };
  };
  const probed = await probeSource(request.source, probeDepsOf(settings), request.signal);
  if (!probed.ok) return failed(probed.reason);
  const { metadata } = probed;
  emit({ event: 'probed', job: request.jobId, metadata });
  const workDir = await mkdtemp(path.join(deps.workRoot, `videoforge-${request.jobId}-tracks-`));
  try {
    const outcome = await runTracks(
      {
        source: request.source,
        metadata,
        plan: planTracks(metadata, request.audioBitrateKbps),
        tracksDir: path.join(workDir, 'tracks'),
        signal: request.signal,
        live: { storage, outputPrefix: request.outputPrefix },
        onProgress: (percent) =>
          emit({ event: 'progress', job: request.jobId, renditions: [], percent }),
      },
      {
        ffmpegPath: settings.ffmpegPath,
        timeoutMs: settings.timeoutMs,
        segmentSeconds: settings.encoder.segmentSeconds,
      },
    );
    if (!outcome.ok) return failed(outcome.failure);
    await uploadTracks(storage, request.outputPrefix, outcome.tracks, request.signal);
    return { status: 'succeeded', metadata, tracks: outcome.tracks.manifest };
  } catch (error) {
    await storage.deletePrefix(`${request.outputPrefix}${TRACKS_DIR}`).catch(() => undefined);
    return failed(stepFailure(error, request.signal));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
