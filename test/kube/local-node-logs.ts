// The one kubelet endpoint the local node serves: GET /containerLogs/{ns}/{pod}/{container},
// which the API server proxies for `kubectl logs` (tailLines, limitBytes, follow).
// Only clients with a certificate from the cluster CA (the API server) get in.

import { execFile } from 'node:child_process';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PodLogSource {
  /** The log file of a pod this node ran, or undefined. */
  path(namespace: string, pod: string): string | undefined;
  /** Whether the pod's process may still write to its log. */
  running(namespace: string, pod: string): boolean;
}

async function selfSignedCert(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'videoforge-local-node-tls-'));
  try {
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '7',
      '-subj',
      '/CN=videoforge-local-node',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    return {
      key: await readFile(join(dir, 'key.pem')),
      cert: await readFile(join(dir, 'cert.pem')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function lastLines(text: string, count: number): string {
  const lines = text.split('\n');
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  return lines.slice(-count).join('\n') + (trailing === '' ? '\n' : '');
}

export async function startPodLogServer(
  clusterCa: Buffer,
  source: PodLogSource,
): Promise<{ port: number; close: () => Promise<void> }> {
  const { key, cert } = await selfSignedCert();
  const streams = new Set<ReadStream>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer(
    { key, cert, ca: clusterCa, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://local-node');
      const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      const [namespace, pod] = [match?.[1], match?.[2]];
      const file = namespace && pod ? source.path(namespace, pod) : undefined;
      if (req.method !== 'GET' || !namespace || !pod || !file) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      void (async () => {
        let text = await readFile(file, 'utf8').catch(() => '');
        const tail = Number.parseInt(url.searchParams.get('tailLines') ?? '', 10);
        if (tail >= 0) text = lastLines(text, tail);
        const limit = Number.parseInt(url.searchParams.get('limitBytes') ?? '', 10);
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        if (limit >= 0) {
          res.end(Buffer.from(text).subarray(0, limit));
          return;
        }
        res.write(text);
        if (url.searchParams.get('follow') !== 'true') {
          res.end();
          return;
        }
        // Follow: poll the file for growth until the process is gone and nothing is left.
        let offset = (await stat(file).catch(() => ({ size: 0 }))).size;
        let busy = false;
        const timer = setInterval(() => {
          if (busy) return;
          busy = true;
          void (async () => {
            const size = (await stat(file).catch(() => ({ size: offset }))).size;
            if (size > offset) {
              const stream = createReadStream(file, { start: offset, end: size - 1 });
              streams.add(stream);
              for await (const chunk of stream) res.write(chunk);
              streams.delete(stream);
              offset = size;
            } else if (!source.running(namespace, pod)) {
              clearInterval(timer);
              timers.delete(timer);
              res.end();
            }
            busy = false;
          })();
        }, 250);
        timers.add(timer);
        req.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
      })().catch(() => res.destroy());
    },
  );
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const stream of streams) stream.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
