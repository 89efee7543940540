import { Router } from 'express';
import { createLocalStorageHandler, type LocalStorage } from '@videoforge/platform/storage';

/**
 * Serves the local storage adapter's signed URLs at /api/storage/*. No session auth:
 * the URL's signature is the authorization, exactly as with S3's presigned URLs.
 */
export function localStorageRoutes(storage: LocalStorage): Router {
  const router = Router();
  const handle = createLocalStorageHandler(storage);
  router.all('/api/storage/{*key}', (req, res, next) => {
    const url = new URL(req.originalUrl, 'http://localhost');
    handle(req, res, url.pathname.slice('/api/storage/'.length), url.searchParams).catch(next);
  });
  return router;
}
