import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  chunkManifestKey,
  chunkRenditionPrefix,
  renditionPrefix,
  type ChunkManifest,
  type CodecFamily,
  type MediaMetadata,
  type TranscoderEvent,
} from '@videoforge/contracts';
import { rateValue, type SourceInput } from '@videoforge/platform/media';
import type { StoragePort } from '@videoforge/platform/storage';
import {
  buildChunkCommand,
  delayFromFramecrc,
  encoderDelayCommand,
  segmentFramesOf,
  type ChunkWindow,
} from '../ffmpeg/chunk-command.builder.ts';
import type { EncodeInput, RenditionOutput } from '../ffmpeg/ffmpeg-command.builder.ts';
import { runFfmpeg } from '../ffmpeg/ffmpeg.runner.ts';
import { videoEncoderOf } from '../ffmpeg/video-encoders.ts';
import { parseMediaPlaylist } from '../output/hls-playlist.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import { uploadFiles } from '../output/upload.service.ts';
import { extraFamilies, familyTwin } from '../plan/codec-family-variant.ts';
import {
  defaultTemplates,
  selectRendition,
  type LadderPlan,
  type PlannedRendition,
  type RenditionTemplate,
} from '../plan/ladder.ts';
import { probeDepsOf, probeSource } from '../source/source-probe.ts';
import {
  failureFromRun,
  mergeTemplates,
  planForSource,
  stepFailure,
  type TranscodeFailure,
  type TranscodeJobDeps,
  type TranscoderSettings,
} from './transcode.service.ts';

export interface ChunkPlacement {
  index: number;
  startSegment: number;
  segmentCount: number;
  segmentSeconds: number;
}

export interface ChunkJobRequest {
  jobId: string;
  source: SourceInput;
  outputPrefix: string;
  renditions?: readonly RenditionTemplate[] | undefined;
  codecs?: readonly CodecFamily[] | undefined;
  chunk: ChunkPlacement;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: TranscoderEvent) => void) | undefined;
}

export type ChunkJobOutcome =
  | { status: 'succeeded'; manifest: ChunkManifest }
  | { status: 'failed'; failure: TranscodeFailure };

/** The renditions a chunked job makes, fitted to the source: the same answer in every chunk and in stitch. */
export interface ChunkedLadder {
  metadata: MediaMetadata;
  plan: LadderPlan;
  /** H.264 renditions and their codec-family twins, in encode order. */
  renditions: PlannedRendition[];
}

/**
 * Probe and plan exactly as the ladder strategy does, so every chunk (and stitch)
 * fits the same renditions with the same GOP. Renditions the source is too small for are left
 * out, as the ladder leaves them out.
 */
export async function planChunkedLadder(
  request: Pick<ChunkJobRequest, 'source' | 'renditions' | 'codecs' | 'signal'>,
  settings: TranscoderSettings,
): Promise<{ ok: true; ladder: ChunkedLadder } | { ok: false; failure: TranscodeFailure }> {
  const probed = await probeSource(request.source, probeDepsOf(settings), request.signal);
  if (!probed.ok) return { ok: false, failure: probed.reason };
  const { metadata } = probed;
  const templates = mergeTemplates(defaultTemplates(), request.renditions ?? []);
  const plan = await planForSource(request.source, metadata, templates, settings, request.signal);
  const wanted = request.renditions?.map((template) => template.name);
  const renditions: PlannedRendition[] = [];
  for (const name of new Set(wanted ?? plan.renditions.map((rendition) => rendition.name))) {
    const rendition = selectRendition(plan, name, templates);
    if (rendition)
      renditions.push(rendition.name === name ? rendition : { ...rendition, requestedName: name });
  }
  const families = extraFamilies(request.codecs ?? settings.codecs);
  return {
    ok: true,
    ladder: {
      metadata,
      plan,
      renditions: [
        ...renditions,
        ...renditions.flatMap((rendition) => families.map((f) => familyTwin(rendition, f))),
      ],
    },
  };
}

/**
 * One chunk of the chunked strategy: the video of every rendition for its whole segments,
 * from one decode. Its segments go straight to each rendition's prefix under their
 * global numbers (a retried chunk rewrites the same names); its segment lists and init
 * segments to `chunks/{index}/`, and chunk.json last, which says it is done.
 */
export async function transcodeChunk(
  request: ChunkJobRequest,
  deps: TranscodeJobDeps,
): Promise<ChunkJobOutcome> {
  const { settings, storage } = deps;
  const emit = request.onEvent ?? (() => undefined);
  const failed = (failure: TranscodeFailure): ChunkJobOutcome => {
    emit({ event: 'failed', job: request.jobId, ...failure });
    return { status: 'failed', failure };
  };
  const { chunk } = request;
  if (chunk.segmentSeconds % settings.keyframeIntervalSeconds !== 0)
    return failed({
      kind: 'bad-input',
      code: 'segment-grid',
      message: `--segment-seconds ${chunk.segmentSeconds} is not a whole number of keyframe intervals (${settings.keyframeIntervalSeconds} s)`,
    });
  const planned = await planChunkedLadder(request, settings);
  if (!planned.ok) return failed(planned.failure);
  const { metadata, plan, renditions: renditions } = planned.ladder;
  emit({ event: 'probed', job: request.jobId, metadata });

  const window: ChunkWindow = {
    startSegment: chunk.startSegment,
    segmentCount: chunk.segmentCount,
    segmentFrames: segmentFramesOf(
      plan.gopFrames,
      chunk.segmentSeconds,
      settings.keyframeIntervalSeconds,
    ),
  };
  const fps = rateValue(plan.frameRate);
  const startSeconds = (window.startSegment * window.segmentFrames) / fps;
  const chunkSeconds = Math.min(
    (window.segmentCount * window.segmentFrames) / fps,
    Math.max(0, metadata.durationSeconds - startSeconds),
  );
  const manifestOf = (segments: ReadonlyMap<string, number>): ChunkManifest => ({
    version: 1,
    index: chunk.index,
    startSegment: chunk.startSegment,
    segmentCount: chunk.segmentCount,
    renditions: renditions.map((rendition) => ({
      name: rendition.name,
      firstSegment: chunk.startSegment,
      segments: segments.get(rendition.name) ?? 0,
    })),
  });

  const workDir = await mkdtemp(
    path.join(deps.workRoot, `videoforge-${request.jobId}-chunk-${chunk.index}-`),
  );
  try {
    // The plan counts nominal segments; a chunk that starts past the last frame (a
    // title a little shorter than its segments) has nothing to encode.
    if (renditions.length === 0 || chunkSeconds < 0.5 / fps) {
      const manifest = manifestOf(new Map());
      await uploadManifest(storage, request.outputPrefix, manifest, workDir, request.signal);
      return { status: 'succeeded', manifest };
    }
    const input: EncodeInput = {
      source: request.source,
      metadata,
      plan,
      settings: { ...settings.encoder, segmentSeconds: chunk.segmentSeconds },
    };
    // One probe per encoder (x264, x265, SVT-AV1): every rendition of a family shares its GOP structure.
    const byEncoder = new Map<string, number>();
    const delays: number[] = [];
    for (const [i, rendition] of renditions.entries()) {
      const encoder = videoEncoderOf(rendition).type;
      const known = byEncoder.get(encoder);
      if (known !== undefined) {
        delays.push(known);
        continue;
      }
      const target = path.join(workDir, `delay-${i}.framecrc`);
      const run = await runFfmpeg(encoderDelayCommand(input, rendition, target), {
        ffmpegPath: settings.ffmpegPath,
        durationSeconds: 1,
        timeoutMs: settings.probeTimeoutMs,
        signal: request.signal,
        partialOutputs: [target],
      });
      if (!run.ok) return failed(failureFromRun(run, `${rendition.name}: encoder delay: `));
      const delay = delayFromFramecrc(await readFile(target, 'utf8'));
      if (delay === undefined)
        return failed({
          kind: 'transient',
          code: 'encoder-delay',
          message: `${rendition.name}: could not read the encoder's reorder delay`,
        });
      byEncoder.set(encoder, delay);
      delays.push(delay);
    }
    const outputs: RenditionOutput[] = renditions.map((rendition) => ({
      rendition: rendition,
      dir: path.join(workDir, rendition.name),
    }));
    await Promise.all(outputs.map((output) => mkdir(output.dir, { recursive: true })));
    const run = await runFfmpeg(buildChunkCommand(input, outputs, window, delays), {
      ffmpegPath: settings.ffmpegPath,
      durationSeconds: chunkSeconds,
      timeoutMs: settings.timeoutMs,
      signal: request.signal,
      onProgress: (percent) =>
        emit({
          event: 'progress',
          job: request.jobId,
          renditions: renditions.map((rendition) => rendition.name),
          percent: Math.min(99, percent),
        }),
      partialOutputs: outputs.map((output) => output.dir),
    });
    if (!run.ok) return failed(failureFromRun(run));

    const segments = new Map<string, number>();
    const uploads: Array<() => Promise<void>> = [];
    for (const output of outputs) {
      const listed = await readChunkPlaylist(output, window);
      if (!listed.ok) return failed(listed.failure);
      segments.set(output.rendition.name, listed.segments.length);
      uploads.push(async () => {
        await uploadFiles(
          storage,
          renditionPrefix(request.outputPrefix, output.rendition.name),
          listed.segments.map((name) => ({ name, path: path.join(output.dir, name) })),
          request.signal,
        );
        await uploadFiles(
          storage,
          chunkRenditionPrefix(request.outputPrefix, chunk.index, output.rendition.name),
          [RENDITION_FILES.init, RENDITION_FILES.playlist].map((name) => ({
            name,
            path: path.join(output.dir, name),
          })),
          request.signal,
        );
      });
    }
    for (const upload of uploads) await upload();
    const manifest = manifestOf(segments);
    await uploadManifest(storage, request.outputPrefix, manifest, workDir, request.signal);
    return { status: 'succeeded', manifest };
  } catch (error) {
    return failed(stepFailure(error, request.signal));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The chunk's playlist as ffmpeg wrote it, checked: complete, numbered from the chunk's
 * first global segment without a gap, never more segments than the chunk was given.
 */
async function readChunkPlaylist(
  output: RenditionOutput,
  window: ChunkWindow,
): Promise<{ ok: true; segments: string[] } | { ok: false; failure: TranscodeFailure }> {
  const invalid = (message: string) => ({
    ok: false as const,
    failure: { kind: 'transient' as const, code: 'output-invalid', message },
  });
  const text = await readFile(path.join(output.dir, RENDITION_FILES.playlist), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined)
    return {
      ok: false,
      failure: {
        kind: 'bad-input',
        code: 'no-output',
        message: `${output.rendition.name}: ffmpeg wrote no segment for the chunk: no decodable frame in it`,
      },
    };
  const playlist = parseMediaPlaylist(text);
  if (!playlist.ended || playlist.segments.length === 0)
    return invalid(`${output.rendition.name}: the chunk's playlist is incomplete`);
  if (playlist.segments.length > window.segmentCount)
    return invalid(
      `${output.rendition.name}: ${playlist.segments.length} segments for a chunk of ${window.segmentCount}`,
    );
  const names = playlist.segments.map((segment) => segment.uri);
  const expected = names.map((_, i) => segmentName(window.startSegment + i));
  if (names.some((name, i) => name !== expected[i]))
    return invalid(
      `${output.rendition.name}: segments are not numbered from ${window.startSegment}`,
    );
  return { ok: true, segments: names };
}

/** ffmpeg's name for global segment `n` (RENDITION_FILES.segmentPattern). */
export function segmentName(n: number): string {
  return RENDITION_FILES.segmentPattern.replace('%05d', String(n).padStart(5, '0'));
}

async function uploadManifest(
  storage: StoragePort,
  outputPrefix: string,
  manifest: ChunkManifest,
  workDir: string,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const file = path.join(workDir, 'chunk.json');
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  const key = chunkManifestKey(outputPrefix, manifest.index);
  await storage.put(key, await readFile(file), {
    contentType: 'application/json',
    cacheControl: 'no-store',
  });
}
