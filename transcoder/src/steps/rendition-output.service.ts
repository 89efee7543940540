import { familyOfVariant, renditionMp4Name, type CodecFamily } from '@videoforge/contracts';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MediaMetadata, RenditionManifest } from '@videoforge/contracts';
import { FfprobeOutput, runFfprobe } from '@videoforge/platform/media';
import {
  av1CodecString,
  avcCodecString,
  hevcCodecString,
  parseMediaPlaylist,
  segmentBandwidth,
} from '../output/hls-playlist.ts';
import type { LadderPlan, PlannedRendition } from '../plan/ladder.ts';
import { RENDITION_FILES } from '../output/output-layout.ts';
import { videoProcessingOf } from '../plan/video-processing.ts';

/**
 * How each family's output is read back: the RFC 6381 string from its init segment's
 * configuration box (CODECS in the master), and the codec ffprobe must report.
 */
const FAMILY_STREAMS: Record<
  CodecFamily,
  { describe: (init: Uint8Array) => string | undefined; label: string; codecName: string }
> = {
  h264: { describe: avcCodecString, label: 'H.264', codecName: 'h264' },
  hevc: { describe: hevcCodecString, label: 'HEVC', codecName: 'hevc' },
  av1: { describe: av1CodecString, label: 'AV1', codecName: 'av1' },
};

/** A rendition's finished local outputs, described and checked, ready to upload. */
export interface EncodedRendition {
  manifest: RenditionManifest;
  dir: string;
  /** Every file in `dir`, rendition.json included. */
  files: string[];
  /** Files already in storage, uploaded while ffmpeg ran (init and segments). */
  published?: ReadonlySet<string> | undefined;
}

/** The RFC 6381 codec string of a variant's init segment, as its master line names it. */
export function variantCodecString(variant: string, init: Uint8Array): string | undefined {
  return FAMILY_STREAMS[familyOfVariant(variant)].describe(init);
}

export type DescribeOutcome =
  | { ok: true; rendition: EncodedRendition }
  | { ok: false; kind: 'bad-input' | 'transient'; code: string; message: string };

export interface DescribeOptions {
  ffprobePath: string;
  timeoutMs: number;
}

/**
 * Checks what ffmpeg wrote for one rendition against the plan and writes its manifest.
 * ffmpeg stops quietly at the end of a truncated source, so a rendition much shorter
 * than the probed duration means the source lied about its length: bad input.
 */
export async function describeRendition(
  dir: string,
  rendition: PlannedRendition,
  plan: LadderPlan,
  metadata: MediaMetadata,
  options: DescribeOptions,
): Promise<DescribeOutcome> {
  const mismatch = (message: string): DescribeOutcome => ({
    ok: false,
    kind: 'transient',
    code: 'output-invalid',
    message: `${rendition.name}: ${message}`,
  });
  const playlistText = await readFile(path.join(dir, RENDITION_FILES.playlist), 'utf8').catch(
    () => undefined,
  );
  // ffmpeg ended without error yet wrote nothing: it decoded no frame of the source.
  if (playlistText === undefined) {
    return {
      ok: false,
      kind: 'bad-input',
      code: 'no-output',
      message: `${rendition.name}: ffmpeg finished but produced no output: the source has no decodable video frames`,
    };
  }
  const playlist = parseMediaPlaylist(playlistText);
  if (!playlist.ended || playlist.segments.length === 0)
    return mismatch('the media playlist is incomplete');
  const sized = await Promise.all(
    playlist.segments.map(async (segment) => ({
      durationSeconds: segment.durationSeconds,
      bytes: (await stat(path.join(dir, segment.uri))).size,
    })),
  );
  const init = await readFile(path.join(dir, playlist.initUri ?? RENDITION_FILES.init));
  const family = familyOfVariant(rendition.name);
  const { describe, label, codecName: expectedCodec } = FAMILY_STREAMS[family];
  const codecs = describe(init);
  if (!codecs) return mismatch(`the init segment has no ${label} configuration`);

  const mp4 = renditionMp4Name(rendition.name);
  const probe = await runFfprobe(
    [
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-of',
      'json',
      '-show_format',
      '-show_streams',
      `file:${path.join(dir, mp4)}`,
    ],
    { ffprobePath: options.ffprobePath, timeoutMs: options.timeoutMs },
  );
  const parsed =
    probe.exitCode === 0 ? FfprobeOutput.safeParse(parseJson(probe.stdout)) : undefined;
  if (!parsed?.success)
    return mismatch(`the MP4 cannot be read back: ${probe.stderr.trim().split('\n').at(-1) ?? ''}`);
  const video = parsed.data.streams.find((s) => s.codec_type === 'video');
  const audio = parsed.data.streams.find((s) => s.codec_type === 'audio');
  const duration = Number(parsed.data.format?.duration ?? 0);
  if (
    video?.codec_name !== expectedCodec ||
    video.width !== rendition.width ||
    video.height !== rendition.height
  ) {
    return mismatch(
      `expected ${expectedCodec} ${rendition.width}×${rendition.height}, got ${video?.codec_name ?? 'no video'} ${video?.width ?? 0}×${video?.height ?? 0}`,
    );
  }
  // Renditions are video only; the audio tracks are renditions of their own.
  if (audio) return mismatch('unexpected audio track');
  const shortfall = metadata.durationSeconds - duration;
  if (shortfall > Math.max(1, metadata.durationSeconds * 0.05)) {
    return {
      ok: false,
      kind: 'bad-input',
      code: 'truncated',
      message: `the source is truncated: it declares ${metadata.durationSeconds.toFixed(1)} s but its data ends at ${duration.toFixed(1)} s`,
    };
  }

  const { peak, average } = segmentBandwidth(sized, playlist.targetDuration);
  const files = (await readdir(dir)).filter((name) => name !== RENDITION_FILES.manifest);
  const sizes = await Promise.all(
    files.map(async (name) => (await stat(path.join(dir, name))).size),
  );
  const manifest: RenditionManifest = {
    version: 1,
    name: rendition.name,
    width: rendition.width,
    height: rendition.height,
    frameRate: plan.frameRate,
    codecs,
    hasAudio: false,
    videoBitrateKbps: rendition.videoBitrateKbps,
    bandwidth: peak,
    averageBandwidth: average,
    durationSeconds: duration,
    playlist: RENDITION_FILES.playlist,
    mp4,
    segmentCount: playlist.segments.length,
    bytes: sizes.reduce((sum, size) => sum + size, 0),
    videoRange: rendition.hdr ?? 'SDR',
    ...(rendition.requestedName ? { requestedName: rendition.requestedName } : {}),
    // An HDR twin keeps the source's range: nothing was tone-mapped for it.
    processing: {
      ...videoProcessingOf(metadata, plan),
      ...(rendition.hdr ? { toneMapped: false } : {}),
    },
  };
  await writeFile(
    path.join(dir, RENDITION_FILES.manifest),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  return { ok: true, rendition: { manifest, dir, files: [...files, RENDITION_FILES.manifest] } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
