import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring URLs for the local storage adapter, the stand-in for S3's presigned
 * URLs. The signature covers the operation, the key and the expiry, so a GET link
 * cannot be turned into a PUT, pointed at another key, or extended.
 */
export type SignedOperation =
  | { type: 'get'; downloadName?: string }
  /** `size`: the only body length accepted (signed, like S3's signed Content-Length). */
  | { type: 'put'; size?: number }
  | { type: 'part'; uploadId: string; partNumber: number; size?: number };

export interface SignedRequest {
  key: string;
  operation: SignedOperation;
  expiresAt: number; // unix seconds
}

function canonical({ key, operation, expiresAt }: SignedRequest): string {
  switch (operation.type) {
    case 'get':
      return ['get', key, expiresAt, operation.downloadName ?? ''].join('\n');
    case 'put':
      return ['put', key, expiresAt, operation.size ?? ''].join('\n');
    case 'part':
      return [
        'part',
        key,
        expiresAt,
        operation.uploadId,
        operation.partNumber,
        operation.size ?? '',
      ].join('\n');
  }
}

export function sign(secret: string, request: SignedRequest): string {
  return createHmac('sha256', secret).update(canonical(request)).digest('base64url');
}

export function signatureMatches(
  secret: string,
  request: SignedRequest,
  signature: string,
): boolean {
  const expected = Buffer.from(sign(secret, request));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Builds `{base}/{key}?…` with the key's segments percent-encoded. */
export function buildSignedUrl(baseUrl: string, secret: string, request: SignedRequest): string {
  const url = new URL(
    baseUrl.replace(/\/?$/, '/') + request.key.split('/').map(encodeURIComponent).join('/'),
  );
  url.searchParams.set('expires', String(request.expiresAt));
  const op = request.operation;
  if (op.type === 'get' && op.downloadName) url.searchParams.set('download', op.downloadName);
  if (op.type === 'part') {
    url.searchParams.set('uploadId', op.uploadId);
    url.searchParams.set('partNumber', String(op.partNumber));
  }
  if ((op.type === 'put' || op.type === 'part') && op.size !== undefined)
    url.searchParams.set('size', String(op.size));
  url.searchParams.set('signature', sign(secret, request));
  return url.toString();
}

export type VerifyResult =
  { ok: true; request: SignedRequest } | { ok: false; status: 400 | 403; reason: string };

/** Checks a signed URL's query for a request of the given HTTP method. */
export function verifySignedRequest(
  secret: string,
  method: string,
  key: string,
  query: URLSearchParams,
  now: Date = new Date(),
): VerifyResult {
  const expiresAt = Number(query.get('expires'));
  const signature = query.get('signature');
  if (!Number.isInteger(expiresAt) || !signature) {
    return { ok: false, status: 400, reason: 'missing expires or signature' };
  }
  let operation: SignedOperation;
  const sizeParam = query.get('size');
  const size = sizeParam === null ? undefined : Number(sizeParam);
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0))
    return { ok: false, status: 400, reason: 'size must be a whole number of bytes' };
  const sized = size === undefined ? {} : { size };
  if (method === 'GET' || method === 'HEAD') {
    const downloadName = query.get('download');
    operation = downloadName ? { type: 'get', downloadName } : { type: 'get' };
  } else if (method === 'PUT' && query.has('uploadId')) {
    const partNumber = Number(query.get('partNumber'));
    operation = { type: 'part', uploadId: query.get('uploadId') ?? '', partNumber, ...sized };
  } else if (method === 'PUT') {
    operation = { type: 'put', ...sized };
  } else {
    return { ok: false, status: 400, reason: `method ${method} is not allowed` };
  }
  const request: SignedRequest = { key, operation, expiresAt };
  if (!signatureMatches(secret, request, signature)) {
    return { ok: false, status: 403, reason: 'signature does not match' };
  }
  if (expiresAt * 1000 < now.getTime())
    return { ok: false, status: 403, reason: 'URL has expired' };
  return { ok: true, request };
}
