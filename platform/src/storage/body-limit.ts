/**
 * Byte counting for bodies that arrive over the network (the local adapter's signed
 * PUTs): the length a URL was signed for is enforced while the bytes stream, so a
 * client that lies about Content-Length (or sends chunked) cannot store more.
 */
export class BodySizeError extends Error {
  readonly status: 400 | 413;
  constructor(status: 400 | 413, message: string) {
    super(message);
    this.name = 'BodySizeError';
    this.status = status;
  }
}

export interface BodyLimit {
  /** The body must be exactly this long (a signed length). */
  exactBytes?: number | undefined;
  /** The body may be at most this long. */
  maxBytes: number;
}

/** Yields the body's chunks, throwing as soon as it is longer than allowed (or, at its end, shorter). */
export async function* limitBytes(
  body: AsyncIterable<Buffer>,
  { exactBytes, maxBytes }: BodyLimit,
): AsyncGenerator<Buffer> {
  const limit = Math.min(maxBytes, exactBytes ?? Number.POSITIVE_INFINITY);
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (received > limit)
      throw new BodySizeError(413, `the body is longer than the ${limit} bytes this URL allows`);
    yield chunk;
  }
  if (exactBytes !== undefined && received !== exactBytes)
    throw new BodySizeError(
      400,
      `the body is ${received} bytes; this URL was signed for ${exactBytes}`,
    );
}
