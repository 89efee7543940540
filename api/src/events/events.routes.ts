import { Router, type Request } from 'express';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { EventsTicketResponse, PlayableEvent, Role } from '@videoforge/contracts';
import {
  bearerToken,
  currentUser,
  principalOf,
  type Authentication,
} from '../auth/authenticate.ts';
import type { UsersRepository } from '../auth/users.repository.ts';
import { HttpError } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import {
  EVENT_TICKET_TTL_SECONDS,
  type EventTicketsRepository,
} from './event-tickets.repository.ts';
import type { EventsHub } from './events.hub.ts';

const HEARTBEAT_MS = 15_000;
const LISTEN_WAIT_MS = 3000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
const TicketQuery = z.object({ ticket: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export interface EventsRoutesDeps {
  hub: EventsHub;
  authn: Authentication;
  tickets: EventTicketsRepository;
  users: UsersRepository;
  /** Open streams per user in this process; one more is refused with 429. */
  maxStreamsPerUser: number;
}

/** When the bearer token of this (already authenticated) request expires. */
function credentialExpiry(req: Request): Date {
  const token = bearerToken(req);
  const exp = token ? decodeJwt(token).exp : undefined;
  // An issuer's token without exp cannot reach here (exp is a required claim).
  return new Date((exp ?? Math.floor(Date.now() / 1000) + 3600) * 1000);
}

/**
 * Server-sent events with the progress and state of the caller's jobs (an admin sees
 * every job): `event: job` on every change, and `event: playable` once, when a job's
 * first segments are published and a player can start. A browser first buys a single-use ticket with its bearer token, then
 * opens `/api/events?ticket=…`; other clients may send the bearer token instead. A
 * stream ends when the credential it was opened with expires (the client buys a new
 * ticket with a fresh token). A comment line every 15 s keeps proxies from closing an
 * idle stream.
 */
export function eventsRoutes({
  hub,
  authn,
  tickets,
  users,
  maxStreamsPerUser,
}: EventsRoutesDeps): Router {
  const router = Router();
  const openStreams = new Map<string, number>();

  router.post('/api/events/ticket', authn.required, async (req, res) => {
    const ticket = await tickets.issue(currentUser(req).userId, credentialExpiry(req));
    const body: EventsTicketResponse = { ticket, expiresIn: EVENT_TICKET_TTL_SECONDS };
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(body);
  });

  router.get('/api/events', authn.optional, async (req, res) => {
    // Before any await: a client gone while we look the ticket up must still be cleaned up.
    const cleanups: (() => void)[] = [];
    let closed = false;
    req.on('close', () => {
      closed = true;
      for (const cleanup of cleanups) cleanup();
    });

    let who: { userId: string; role: Role; expiresAt: Date };
    const principal = principalOf(req);
    if (principal) {
      who = { userId: principal.userId, role: principal.role, expiresAt: credentialExpiry(req) };
    } else {
      if (req.query.access_token !== undefined)
        throw new HttpError(
          400,
          'bad_request',
          'access tokens in URLs are not accepted: POST /api/events/ticket and open /api/events?ticket=…',
        );
      if (req.query.ticket === undefined)
        throw new HttpError(
          401,
          'unauthenticated',
          'this route needs ?ticket= (POST /api/events/ticket) or a bearer token',
        );
      const { ticket } = parse(TicketQuery, req.query, 'query');
      const redeemed = await tickets.redeem(ticket);
      const user = redeemed && (await users.findById(redeemed.userId));
      if (!redeemed || !user)
        throw new HttpError(401, 'invalid_token', 'the events ticket is unknown, used or expired');
      who = { userId: user.id, role: user.role, expiresAt: redeemed.credentialExpiresAt };
    }
    if (closed) return;
    const remainingMs = who.expiresAt.getTime() - Date.now();
    if (remainingMs <= 0) throw new HttpError(401, 'token_expired', 'the credential expired');

    const open = openStreams.get(who.userId) ?? 0;
    if (open >= maxStreamsPerUser)
      throw new HttpError(
        429,
        'too_many_streams',
        `at most ${maxStreamsPerUser} event streams per user; close one first`,
      );
    openStreams.set(who.userId, open + 1);
    cleanups.push(() => {
      const left = (openStreams.get(who.userId) ?? 1) - 1;
      if (left > 0) openStreams.set(who.userId, left);
      else openStreams.delete(who.userId);
    });

    // Usually at once; while the database is away the stream still opens (after a few
    // seconds) and its events start when the hub's retried LISTEN succeeds.
    await Promise.race([hub.listening(), delay(LISTEN_WAIT_MS)]);
    if (closed) return;
    cleanups.push(
      hub.subscribe(
        ({ userId, event, becamePlayable }) => {
          if (userId !== who.userId && who.role !== 'admin') return;
          res.write(
            `event: job\nid: ${event.jobId}-${Date.now()}\ndata: ${JSON.stringify(event)}\n\n`,
          );
          if (becamePlayable && event.playableAt) {
            const playable: PlayableEvent = {
              jobId: event.jobId,
              videoId: event.videoId,
              playableAt: event.playableAt,
            };
            res.write(
              `event: playable\nid: ${event.jobId}-playable\ndata: ${JSON.stringify(playable)}\n\n`,
            );
          }
        },
        () => res.end(),
      ),
    );
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    // The stream lives no longer than the credential that opened it.
    const expiry = setTimeout(() => res.end(), Math.min(remainingMs, 2 ** 31 - 1));
    cleanups.push(() => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
    });
  });
  return router;
}
