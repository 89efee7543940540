import path from 'node:path';
import express, { Router } from 'express';
import { webSecurityHeaders } from '@videoforge/contracts';

/**
 * The web app in all-in-one mode. Vite names its bundles by content hash, so they
 * are cached for good; index.html is revalidated so a new build is picked up at once.
 * Any other GET that wants HTML is a client-side route and gets index.html.
 */
export function webAppRoutes(distDir: string, storageOrigins: readonly string[] = []): Router {
  const root = path.resolve(distDir);
  const router = Router();
  // The web app's CSP (hls.js: blob: media and worker, the storage origin), no framing,
  // no referrer; HSTS when the request came over HTTPS (req.secure honours TRUST_PROXY).
  router.use((req, res, next) => {
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    for (const [name, value] of Object.entries(
      webSecurityHeaders({ storageOrigins, https: req.secure }),
    ))
      res.setHeader(name, value);
    next();
  });
  router.use(
    express.static(root, {
      index: false,
      setHeaders: (res, file) => {
        res.setHeader(
          'Cache-Control',
          file.startsWith(path.join(root, 'assets') + path.sep)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    }),
  );
  router.get(/^\/(?!api\/|api$|metrics$|healthz$|readyz$).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root }, (error) => {
      if (error) next(error);
    });
  });
  return router;
}
