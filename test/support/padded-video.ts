import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { makeTestClip, type TestClipOptions } from './media.ts';

const CHUNK = 4 * 1024 * 1024;

/**
 * A real, probe-able video of about `totalBytes`: a short lavfi clip (moov first, by
 * faststart) followed by one top-level ISO BMFF `free` box of random bytes. Players and
 * ffprobe skip `free` boxes and no offset moves, so a 300 MB upload costs a second of
 * ffmpeg and a few hundred MB of urandom instead of minutes of encoding.
 * Resolves with the path and the file's SHA-256.
 */
export async function makePaddedClip(
  dir: string,
  totalBytes: number,
  clip: Partial<TestClipOptions> = {},
): Promise<{ file: string; sha256: string; size: number }> {
  const name = clip.name ?? `padded-${totalBytes}.mp4`;
  const file = await makeTestClip(dir, {
    size: clip.size ?? '320x240',
    seconds: clip.seconds ?? 2,
    audio: clip.audio ?? true,
    name,
  });
  const handle = await open(path.join(dir, name), 'r+');
  try {
    const clipBytes = (await handle.stat()).size;
    const boxBytes = Math.max(16, totalBytes - clipBytes);
    if (boxBytes > 0xffff_ffff) throw new Error('padding over 4 GiB needs a 64-bit box size');
    const header = Buffer.alloc(8);
    header.writeUInt32BE(boxBytes, 0);
    header.write('free', 4, 'latin1');
    let position = clipBytes;
    await handle.write(header, 0, 8, position);
    position += 8;
    for (let left = boxBytes - 8; left > 0;) {
      const chunk = randomBytes(Math.min(CHUNK, left));
      await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
      left -= chunk.length;
    }
  } finally {
    await handle.close();
  }
  return { file, ...(await sha256File(file)) };
}

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream()) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { sha256: hash.digest('hex'), size };
}
