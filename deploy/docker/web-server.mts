// Serves the web app's static build: GET/HEAD only, no directory listings, no path
// escapes, index.html for client-side routes, long caching for Vite's hashed assets.
// Every response carries the web app's security headers (CSP for hls.js, no framing,
// no referrer, HSTS behind HTTPS).
// Environment: HOST (0.0.0.0), PORT (8080), STATIC_DIR (/app/public), CSP_STORAGE_ORIGINS
// (comma-separated origins of presigned storage URLs, e.g. https://bucket.s3.eu-west-1.amazonaws.com).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { webSecurityHeaders } from '../../contracts/src/web-security-headers.ts';

const root = path.resolve(process.env.STATIC_DIR || '/app/public');
const host = process.env.HOST || '0.0.0.0';
const port = Number(process.env.PORT || 8080);
const storageOrigins = (process.env.CSP_STORAGE_ORIGINS || '').split(',').filter(Boolean);
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

async function fileFor(urlPath: string): Promise<{ file: string; size: number } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return undefined;
  const info = await stat(candidate).catch(() => undefined);
  if (info?.isFile()) return { file: candidate, size: info.size };
  return undefined;
}

const server = createServer((req, res) => {
  void respond(req, res);
});

async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Behind the ingress the TLS is terminated there; a forged header only adds HSTS to a
  // plain-HTTP answer, which browsers ignore.
  const https = req.headers['x-forwarded-proto'] === 'https';
  for (const [name, value] of Object.entries(webSecurityHeaders({ storageOrigins, https })))
    res.setHeader(name, value);
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let found = await fileFor(url.pathname);
  const spaRoute = !found && !path.extname(url.pathname);
  if (spaRoute) found = await fileFor('/index.html');
  if (!found) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const immutable = url.pathname.startsWith('/assets/');
  res.writeHead(200, {
    'Content-Type': types[path.extname(found.file)] ?? 'application/octet-stream',
    'Content-Length': found.size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(found.file).pipe(res);
}
server.listen(port, host, () =>
  console.log(
    JSON.stringify({ level: 'info', service: 'web', msg: `serving ${root} on ${host}:${port}` }),
  ),
);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => server.close(() => process.exit(0)));
