import { Router } from 'express';
import { currentUser, type Authentication } from '../auth/authenticate.ts';
import type { EventsHub } from './events.hub.ts';

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events with the progress and state of the caller's jobs (an admin sees
 * every job). A comment line every 15 s keeps proxies from closing an idle stream.
 */
export function eventsRoutes({ hub, authn }: { hub: EventsHub; authn: Authentication }): Router {
  const router = Router();
  router.get('/api/events', authn.required, async (req, res) => {
    const principal = currentUser(req);
    const unsubscribe = await hub.subscribe(({ userId, event }) => {
      if (userId !== principal.userId && principal.role !== 'admin') return;
      res.write(`event: job\nid: ${event.jobId}-${Date.now()}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
