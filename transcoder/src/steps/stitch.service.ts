import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import {
  CHUNKS_DIR,
  ChunkManifest,
  chunkManifestKey,
  chunkRenditionPrefix,
  familyOfVariant,
  renditionMp4Name,
  renditionPrefix,
  type CodecFamily,
  type TranscoderEvent,
} from '@videoforge/contracts';
import type { SourceInput } from '@videoforge/platform/media';
import { ObjectNotFoundError, type StoragePort } from '@videoforge/platform/storage';
import { GLOBAL_OPTIONS, type FfmpegCommand } from '../ffmpeg/ffmpeg-command.builder.ts';
import { runFfmpeg } from '../ffmpeg/ffmpeg.runner.ts';
import { parseMediaPlaylist, type MediaSegment } from '../output/hls-playlist.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import { uploadFiles } from '../output/upload.service.ts';
import type { PlannedRendition, RenditionTemplate } from '../plan/ladder.ts';
import { planChunkedLadder, type ChunkedLadder } from './chunk.service.ts';
import { describeRendition } from './rendition-output.service.ts';
import {
  failureFromRun,
  stepFailure,
  type TranscodeFailure,
  type TranscodeJobDeps,
} from './transcode.service.ts';

export interface StitchRequest {
  jobId: string;
  source: SourceInput;
  outputPrefix: string;
  renditions?: readonly RenditionTemplate[] | undefined;
  codecs?: readonly CodecFamily[] | undefined;
  /** How many chunks the job was cut into. */
  chunks: number;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: TranscoderEvent) => void) | undefined;
}

export type StitchOutcome =
  { status: 'succeeded'; renditions: string[] } | { status: 'failed'; failure: TranscodeFailure };

/** A rendition's playlist over the chunks' segments: one init segment, the title's whole timeline. */
export function renderStitchedPlaylist(segments: readonly MediaSegment[]): string {
  const target = Math.max(1, ...segments.map((s) => Math.round(s.durationSeconds)));
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${RENDITION_FILES.init}"`,
    ...segments.flatMap((s) => [`#EXTINF:${s.durationSeconds.toFixed(6)},`, s.uri]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/**
 * The chunked strategy's join, once every chunk is done: per rendition, the chunks'
 * segment lists concatenated into one playlist (their init segments must be byte-equal:
 * same encoder settings; a difference fails rather than plays wrong), and the
 * progressive MP4 remuxed by stream copy from init + segments. Then each rendition gets
 * its manifest as any rendition workload writes it, so the normal finalize follows.
 */
export async function stitchChunks(
  request: StitchRequest,
  deps: TranscodeJobDeps,
): Promise<StitchOutcome> {
  const { settings, storage } = deps;
  const emit = request.onEvent ?? (() => undefined);
  const failed = (failure: TranscodeFailure): StitchOutcome => {
    emit({ event: 'failed', job: request.jobId, ...failure });
    return { status: 'failed', failure };
  };
  const manifests: ChunkManifest[] = [];
  try {
    for (let index = 0; index < request.chunks; index++) {
      const manifest = await readChunkManifest(storage, request.outputPrefix, index);
      if (!manifest)
        return failed({
          kind: 'transient',
          code: 'chunk-missing',
          message: `chunk ${index} of ${request.chunks} has not finished`,
        });
      manifests.push(manifest);
    }
  } catch (error) {
    return failed(stepFailure(error, request.signal));
  }
  const planned = await planChunkedLadder(request, settings);
  if (!planned.ok) return failed(planned.failure);
  const { ladder } = planned;
  emit({ event: 'probed', job: request.jobId, metadata: ladder.metadata });

  const workDir = await mkdtemp(path.join(deps.workRoot, `videoforge-${request.jobId}-stitch-`));
  try {
    const done: string[] = [];
    // Twins first: a runtime counts an H.264 rendition (and its twins) done once its manifest exists.
    const order = [
      ...ladder.renditions.filter((r) => familyOfVariant(r.name) !== 'h264'),
      ...ladder.renditions.filter((r) => familyOfVariant(r.name) === 'h264'),
    ];
    for (const rendition of order) {
      const outcome = await stitchRendition(request, deps, ladder, rendition, manifests, workDir);
      if (!outcome.ok) return failed(outcome.failure);
      done.push(rendition.name);
      emit({
        event: 'rendition-uploaded',
        job: request.jobId,
        rendition: rendition.name,
        outputKey: `${renditionPrefix(request.outputPrefix, rendition.name)}${RENDITION_FILES.playlist}`,
        bytes: outcome.bytes,
      });
    }
    await storage.deletePrefix(`${request.outputPrefix}${CHUNKS_DIR}`);
    return { status: 'succeeded', renditions: done };
  } catch (error) {
    return failed(stepFailure(error, request.signal));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function stitchRendition(
  request: StitchRequest,
  deps: TranscodeJobDeps,
  ladder: ChunkedLadder,
  rendition: PlannedRendition,
  manifests: readonly ChunkManifest[],
  workRoot: string,
): Promise<{ ok: true; bytes: number } | { ok: false; failure: TranscodeFailure }> {
  const { storage, settings } = deps;
  const invalid = (message: string) => ({
    ok: false as const,
    failure: {
      kind: 'transient' as const,
      code: 'chunks-invalid',
      message: `${rendition.name}: ${message}`,
    },
  });
  const dir = path.join(workRoot, rendition.name);
  await mkdir(dir, { recursive: true });
  const segments: MediaSegment[] = [];
  let init: Buffer | undefined;
  let ended = false;
  for (const manifest of manifests) {
    const entry = manifest.renditions.find((r) => r.name === rendition.name);
    if (!entry) return invalid(`chunk ${manifest.index} did not encode it`);
    if (entry.segments === 0) {
      ended = true;
      continue;
    }
    // Only the last chunks may come up short (or empty): the title ended inside them.
    if (ended) return invalid(`chunk ${manifest.index} has segments after a short chunk`);
    if (entry.firstSegment !== segments.length)
      return invalid(
        `chunk ${manifest.index} starts at segment ${entry.firstSegment}, not ${segments.length}`,
      );
    const prefix = chunkRenditionPrefix(request.outputPrefix, manifest.index, rendition.name);
    const chunkInit = await readAll(storage, `${prefix}${RENDITION_FILES.init}`);
    if (init && !init.equals(chunkInit))
      return invalid(`chunk ${manifest.index}'s init segment differs from chunk 0's`);
    init ??= chunkInit;
    const list = parseMediaPlaylist(
      (await readAll(storage, `${prefix}${RENDITION_FILES.playlist}`)).toString('utf8'),
    );
    if (list.segments.length !== entry.segments)
      return invalid(
        `chunk ${manifest.index}'s playlist lists ${list.segments.length} segments, its manifest ${entry.segments}`,
      );
    segments.push(...list.segments);
    if (entry.segments < manifest.segmentCount) ended = true;
  }
  if (!init || segments.length === 0) return invalid('no chunk has segments');

  await writeFile(path.join(dir, RENDITION_FILES.init), init);
  await writeFile(path.join(dir, RENDITION_FILES.playlist), renderStitchedPlaylist(segments));
  // The MP4 is a remux of the same bytes: init + every fragment is one fragmented MP4.
  const fragmented = path.join(workRoot, `${rendition.name}.fragmented.mp4`);
  const out = await open(fragmented, 'w');
  try {
    await out.write(init);
    for (const segment of segments) {
      const local = path.join(dir, segment.uri);
      await pipeline(
        await storage.get(`${renditionPrefix(request.outputPrefix, rendition.name)}${segment.uri}`),
        createWriteStream(local),
      );
      await out.write(await readFile(local));
    }
  } finally {
    await out.close();
  }
  const mp4 = path.join(dir, renditionMp4Name(rendition.name));
  const run = await runFfmpeg(buildRemuxCommand(fragmented, mp4), {
    ffmpegPath: settings.ffmpegPath,
    durationSeconds: ladder.metadata.durationSeconds,
    timeoutMs: settings.timeoutMs,
    signal: request.signal,
    partialOutputs: [mp4],
  });
  await rm(fragmented, { force: true });
  if (!run.ok) return { ok: false, failure: failureFromRun(run, `${rendition.name}: MP4 remux: `) };

  const described = await describeRendition(dir, rendition, ladder.plan, ladder.metadata, {
    ffprobePath: settings.ffprobePath,
    timeoutMs: settings.probeTimeoutMs,
  });
  if (!described.ok)
    return {
      ok: false,
      failure: { kind: described.kind, code: described.code, message: described.message },
    };
  // The segments are in place already (the chunks put them there); the rest goes up
  // media first, playlist next, manifest last.
  const files = [
    RENDITION_FILES.init,
    renditionMp4Name(rendition.name),
    RENDITION_FILES.playlist,
    RENDITION_FILES.manifest,
  ];
  await uploadFiles(
    storage,
    renditionPrefix(request.outputPrefix, rendition.name),
    files.map((name) => ({ name, path: path.join(dir, name) })),
    request.signal,
  );
  return { ok: true, bytes: described.rendition.manifest.bytes };
}

/** Stream copy, no re-encode: the fragments become a faststart MP4 with one index. */
export function buildRemuxCommand(fragmented: string, target: string): FfmpegCommand {
  return {
    input: `file:${fragmented}`,
    inputOptions: [...GLOBAL_OPTIONS, '-protocol_whitelist', 'file'],
    outputs: [
      {
        target: `file:${target}`,
        options: [
          '-map',
          '0:v:0',
          '-c',
          'copy',
          '-map_metadata',
          '-1',
          '-movflags',
          '+faststart',
          '-f',
          'mp4',
        ],
      },
    ],
  };
}

async function readChunkManifest(
  storage: StoragePort,
  outputPrefix: string,
  index: number,
): Promise<ChunkManifest | undefined> {
  let body: Buffer;
  try {
    body = await readAll(storage, chunkManifestKey(outputPrefix, index));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
  const parsed = ChunkManifest.safeParse(JSON.parse(body.toString('utf8')));
  return parsed.success && parsed.data.index === index ? parsed.data : undefined;
}

async function readAll(storage: StoragePort, key: string): Promise<Buffer> {
  return buffer(await storage.get(key));
}
