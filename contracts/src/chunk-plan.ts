import { z } from 'zod';

/**
 * The chunked strategy's cut of a title's timeline. Chunks are whole HLS segments (a
 * segment is a whole number of keyframe intervals), so every chunk starts on an IDR
 * frame that the unchunked encode would also have put there, and its segments carry
 * the numbers the unchunked encode would have given them: stitching is concatenating
 * the chunks' segment lists.
 */
export interface Chunk {
  index: number;
  /** The first segment's global number (segment-00000.m4s is the title's first). */
  startSegment: number;
  segmentCount: number;
}

export interface ChunkPlanInput {
  durationSeconds: number;
  segmentSeconds: number;
  /** Chunks when `chunkSeconds` is absent: the title is cut into this many, as even as whole segments allow. */
  maxParallel: number;
  /** Target chunk length, rounded to whole segments (at least one). */
  chunkSeconds?: number | undefined;
}

/** The chunked strategy's segment grid when the controller is not told otherwise (the transcoder's default). */
export const DEFAULT_CHUNK_SEGMENT_SECONDS = 6;

/** Durations are probed floats: 12.000001 s of 6 s segments is two segments, not three. */
const EPSILON_SECONDS = 1e-3;

/** How many segments the HLS muxer writes for a title (the last one may be short). */
export function segmentCountOf(durationSeconds: number, segmentSeconds: number): number {
  return Math.max(1, Math.ceil((durationSeconds - EPSILON_SECONDS) / segmentSeconds));
}

/**
 * Splits `durationSeconds` into chunks of whole segments. Without `chunkSeconds`, into
 * at most `maxParallel` chunks whose sizes differ by at most one segment (the first
 * ones take the remainder); with it, into chunks of that many segments (the last one
 * takes what is left). A title shorter than one segment is one chunk.
 */
export function planChunks(input: ChunkPlanInput): Chunk[] {
  const { durationSeconds, segmentSeconds, maxParallel, chunkSeconds } = input;
  if (!(segmentSeconds > 0)) throw new Error('segmentSeconds must be positive');
  if (!Number.isInteger(maxParallel) || maxParallel < 1)
    throw new Error('maxParallel must be a whole number ≥ 1');
  const total = segmentCountOf(Math.max(0, durationSeconds), segmentSeconds);
  const sizes: number[] = [];
  if (chunkSeconds !== undefined) {
    const per = Math.max(1, Math.round(chunkSeconds / segmentSeconds));
    for (let left = total; left > 0; left -= per) sizes.push(Math.min(per, left));
  } else {
    const count = Math.min(maxParallel, total);
    const base = Math.floor(total / count);
    const remainder = total % count;
    for (let i = 0; i < count; i++) sizes.push(base + (i < remainder ? 1 : 0));
  }
  let start = 0;
  return sizes.map((segmentCount, index) => {
    const chunk = { index, startSegment: start, segmentCount };
    start += segmentCount;
    return chunk;
  });
}

/**
 * What a finished chunk wrote, `{outputPrefix}chunks/{index}/chunk.json` (uploaded last):
 * per rendition the global numbers of its segments. A chunk past the title's last frame
 * (the plan counts nominal segments) writes no segments and says so.
 */
export const ChunkManifest = z.object({
  version: z.literal(1),
  index: z.number().int().min(0),
  startSegment: z.number().int().min(0),
  segmentCount: z.number().int().min(1),
  renditions: z
    .array(
      z.object({
        name: z.string().regex(/^[1-9][0-9]{0,3}p(-[a-z0-9]+)?$/),
        firstSegment: z.number().int().min(0),
        segments: z.number().int().min(0),
      }),
    )
    .max(32),
});
export type ChunkManifest = z.infer<typeof ChunkManifest>;
