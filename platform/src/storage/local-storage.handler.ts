import type { IncomingMessage, ServerResponse } from 'node:http';
import contentDisposition from 'content-disposition';
import send from 'send';
import { BodySizeError } from './body-limit.ts';
import type { LocalStorage } from './local.storage.ts';
import { servedContentType, typeOfKey } from './served-content-types.ts';
import { verifySignedRequest } from './signed-url.ts';
import { InvalidStorageKeyError, validateStorageKey } from './storage-key.ts';

const MAX_PUT_BYTES = 5 * 1024 ** 3; // S3's single-PUT limit, so clients see the same rules

/**
 * Serves the local adapter's signed URLs: GET/HEAD with Range support (via `send`),
 * PUT for whole objects and multipart parts. `pathname` is the part after the mount
 * point, still percent-encoded. Every request must carry a valid, unexpired signature.
 */
export function createLocalStorageHandler(storage: LocalStorage) {
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    query: URLSearchParams,
  ) {
    let key: string;
    try {
      key = validateStorageKey(pathname.split('/').map(decodeURIComponent).join('/'));
    } catch (error) {
      return fail(
        res,
        400,
        'InvalidKey',
        error instanceof InvalidStorageKeyError ? error.message : 'invalid key',
      );
    }
    const verdict = verifySignedRequest(storage.signingSecret, req.method ?? 'GET', key, query);
    if (!verdict.ok)
      return fail(
        res,
        verdict.status,
        verdict.status === 403 ? 'AccessDenied' : 'BadRequest',
        verdict.reason,
      );
    const operation = verdict.request.operation;

    switch (operation.type) {
      case 'get': {
        const meta = await storage.readMeta(key);
        const stream = send(req, storage.filePath(key), {
          dotfiles: 'allow',
          index: false,
          etag: true,
        });
        stream.on('headers', (response: ServerResponse) => {
          const served = servedContentType(meta?.contentType ?? typeOfKey(key));
          response.setHeader('Content-Type', served.contentType);
          response.setHeader('X-Content-Type-Options', 'nosniff');
          if (served.attachment && !operation.downloadName)
            response.setHeader('Content-Disposition', 'attachment');
          response.setHeader('Cache-Control', meta?.cacheControl ?? 'private, max-age=0');
          if (operation.downloadName)
            response.setHeader('Content-Disposition', contentDisposition(operation.downloadName));
        });
        stream.on('error', (error: { status?: number }) =>
          fail(
            res,
            error.status === 404 ? 404 : 500,
            error.status === 404 ? 'NoSuchKey' : 'InternalError',
            'object not readable',
          ),
        );
        stream.pipe(res);
        return;
      }
      case 'put':
      case 'part': {
        // A signed length is checked twice: against the declared Content-Length before
        // reading (an honest client gets a clear answer), and while the bytes stream
        // (a client that lies or sends chunked is cut off past it).
        const declared = req.headers['content-length'];
        if (
          operation.size !== undefined &&
          declared !== undefined &&
          Number(declared) !== operation.size
        )
          return fail(
            res,
            400,
            'BadRequest',
            `this URL was signed for a body of ${operation.size} bytes`,
          );
        if (Number(declared ?? 0) > MAX_PUT_BYTES) {
          return fail(res, 413, 'EntityTooLarge', 'use a multipart upload for objects over 5 GiB');
        }
        const limit = { exactBytes: operation.size, maxBytes: MAX_PUT_BYTES };
        try {
          if (operation.type === 'put') {
            const contentType = req.headers['content-type'];
            await storage.putLimited(key, req, limit, contentType ? { contentType } : {});
            const info = await storage.head(key);
            res
              .writeHead(
                200,
                info?.etag ? { ETag: info.etag, 'Access-Control-Expose-Headers': 'ETag' } : {},
              )
              .end();
          } else {
            const etag = await storage.putPart(
              { key, uploadId: operation.uploadId },
              operation.partNumber,
              req,
              limit,
            );
            res.writeHead(200, { ETag: etag, 'Access-Control-Expose-Headers': 'ETag' }).end();
          }
        } catch (error) {
          if (error instanceof BodySizeError)
            return fail(
              res,
              error.status,
              error.status === 413 ? 'EntityTooLarge' : 'IncompleteBody',
              error.message,
            );
          if (operation.type === 'put') throw error;
          fail(
            res,
            404,
            'NoSuchUpload',
            error instanceof Error ? error.message : 'upload not found',
          );
        }
        return;
      }
    }
  };
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A refused PUT's body may be unread: close the connection rather than let the
  // client reuse a socket that still carries it.
  res.writeHead(status, {
    'Content-Type': 'application/json',
    ...(status >= 400 ? { Connection: 'close' } : {}),
  });
  res.end(JSON.stringify({ error: { code, message, details: {} } }));
}
