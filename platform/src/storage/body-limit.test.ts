import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodySizeError, limitBytes } from './body-limit.ts';

async function drain(chunks: string[], limit: Parameters<typeof limitBytes>[1]): Promise<number> {
  let total = 0;
  for await (const chunk of limitBytes(Readable.from(chunks.map((c) => Buffer.from(c))), limit))
    total += chunk.length;
  return total;
}

describe('limitBytes', () => {
  it('passes a body of the signed length', async () => {
    expect(await drain(['abc', 'de'], { exactBytes: 5, maxBytes: 100 })).toBe(5);
  });
  it('stops a longer body as soon as it passes the limit', async () => {
    const seen: number[] = [];
    const source = Readable.from(['aaaa', 'bbbb', 'cccc'].map((c) => Buffer.from(c)));
    await expect(async () => {
      for await (const chunk of limitBytes(source, { maxBytes: 6 })) seen.push(chunk.length);
    }).rejects.toMatchObject({ status: 413 });
    expect(seen).toEqual([4]);
  });
  it('refuses a shorter body than signed', async () => {
    await expect(drain(['abc'], { exactBytes: 5, maxBytes: 100 })).rejects.toBeInstanceOf(
      BodySizeError,
    );
  });
});
