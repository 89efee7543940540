import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface SeenRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  /** The status the client was sent, once the whole answer went out (a cut one has none). */
  delivered?: number;
}

/**
 * An HTTP proxy on 127.0.0.1 that a test controls: it forwards to `target`, records
 * every request (so tests count what a client sent), can slow request bodies to a
 * rate, cut every open connection (a network drop), and refuse new ones for a while.
 */
export interface TestProxy {
  url: string;
  seen: SeenRequest[];
  setTarget(url: string): void;
  /** Caps request-body bytes per second over all connections; undefined removes the cap. */
  throttle(bytesPerSecond: number | undefined): void;
  /** Destroys every open connection, as a dropped network does. */
  drop(): void;
  /** While down, new connections are cut as soon as they open. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startHttpProxy(target?: string): Promise<TestProxy> {
  let upstream = target ? new URL(target) : undefined;
  let rate: number | undefined;
  let nextFree = 0;
  let down = false;
  const sockets = new Set<Socket>();
  const seen: SeenRequest[] = [];

  // One shared budget: each chunk waits until the bytes before it have "gone".
  const throttled = () =>
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (!rate) return done(null, chunk);
        const now = Date.now();
        const start = Math.max(now, nextFree);
        nextFree = start + (chunk.length / rate) * 1000;
        setTimeout(() => done(null, chunk), nextFree - now);
      },
    });

  const server = createServer((req: IncomingMessage, res) => {
    const entry: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/' };
    seen.push(entry);
    res.on('finish', () => {
      entry.delivered = res.statusCode;
    });
    if (!upstream) {
      res.writeHead(502).end();
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    pipeline(req, throttled(), forward).catch(() => forward.destroy());
  });
  server.on('connection', (socket: Socket) => {
    if (down) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    setTarget(url) {
      upstream = new URL(url);
    },
    throttle(bytesPerSecond) {
      rate = bytesPerSecond;
      nextFree = 0;
    },
    drop() {
      for (const socket of sockets) socket.destroy();
    },
    setDown(value) {
      down = value;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
