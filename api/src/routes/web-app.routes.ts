import path from 'node:path';
import express, { Router } from 'express';

/**
 * The web app in all-in-one mode. Vite names its bundles by content hash, so they
 * are cached for good; index.html is revalidated so a new build is picked up at once.
 * Any other GET that wants HTML is a client-side route and gets index.html.
 */
export function webAppRoutes(distDir: string): Router {
  const root = path.resolve(distDir);
  const router = Router();
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
