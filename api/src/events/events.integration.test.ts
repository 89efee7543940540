import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TokenResponse } from '@videoforge/contracts';
import { connectDatabase, createLogger } from '@videoforge/platform';
import { call, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { createEventTicketsRepository } from './event-tickets.repository.ts';
import { createEventsHub, type JobChange } from './events.hub.ts';

const quiet = createLogger({ service: 'test', level: 'silent' });

/** An open events stream, read as text. */
async function openStream(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  let text = '';
  let ended = false;
  const reading = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>)
        text += decoder.decode(chunk, { stream: true });
    } catch {
      /* aborted */
    }
    ended = true;
  })();
  return {
    status: response.status,
    text: () => text,
    ended: () => ended,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const event = (userId: string, jobId: string) =>
  JSON.stringify({ type: 'job', jobId, videoId: '1', userId, status: 'running', progress: 10 });

describeWith(['postgres'], 'the events stream recovers and is bounded', () => {
  let api: TestApi;
  let user: TokenResponse;
  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: { maxEventStreamsPerUser: 2 },
    });
    user = (
      await call(api.base, 'POST', '/api/auth/register', {
        body: { username: 'watcher', email: 'watcher@example.com', password: 'Sup3r!secret' },
      })
    ).body as TokenResponse;
  });
  afterAll(async () => {
    await api?.close();
  });
  const ticket = async () =>
    (
      (await call(api.base, 'POST', '/api/events/ticket', { token: user.accessToken })).body as {
        ticket: string;
      }
    ).ticket;

  it('keeps delivering after its LISTEN connection is terminated (pg_terminate_backend)', async () => {
    const stream = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
    expect(stream.status).toBe(200);
    await until(() => stream.text().includes(': connected'), 5000, 'connected');
    const killed = await api.db.sql<{ pid: number }[]>`
      SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
      WHERE datname = current_database() AND query ILIKE 'listen%' AND pid <> pg_backend_pid()`;
    expect(killed.length).toBeGreaterThan(0);
    // Notifications sent while it reconnects are lost (clients refetch on reconnect), so
    // keep announcing until one arrives.
    await until(
      async () => {
        await api.db.sql`SELECT pg_notify('videoforge_job_events', ${event(user.user.id, '77')})`;
        return stream.text().includes('"jobId":"77"');
      },
      15_000,
      'an event after the LISTEN connection was killed',
    );
    await stream.close();
  });

  it('retries a LISTEN that failed instead of failing for good', async () => {
    // The hub's database does not exist yet: every LISTEN fails until it is created.
    const serverUrl = new URL(inject('postgresUrl'));
    const name = `vf_late_${randomBytes(4).toString('hex')}`;
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const sql = connectDatabase({ url: url.toString(), max: 2, logger: quiet });
    const hub = createEventsHub(sql, quiet, { retryMs: 100, maxRetryMs: 400 });
    const admin = connectDatabase({ url: serverUrl.toString(), max: 1, logger: quiet });
    const seen: JobChange[] = [];
    const unsubscribe = hub.subscribe((change) => seen.push(change));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // a few failed attempts
      await admin`CREATE DATABASE ${admin(name)}`;
      await hub.listening();
      await sql`SELECT pg_notify('videoforge_job_events', ${event('5', '9')})`;
      await until(() => seen.length > 0, 5000, 'the notification after recovery');
      expect(seen[0]).toMatchObject({ userId: '5', event: { jobId: '9', status: 'running' } });
    } finally {
      unsubscribe();
      await hub.close();
      await sql.end({ timeout: 5 });
      await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
      await admin.end({ timeout: 5 });
    }
  });

  it('caps open streams per user', async () => {
    const first = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
    const second = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
    const third = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    await first.close();
    // The closed stream's slot is free again.
    await until(
      async () => {
        const again = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
        await again.close();
        return again.status === 200;
      },
      5000,
      'a slot after closing a stream',
    );
    await second.close();
    await third.close();
  });

  it('cleans up a stream whose client left while its ticket was being checked', async () => {
    const early = await ticket();
    // Hold the tickets table so the redemption waits in the database, then leave.
    const locker = connectDatabase({ url: api.db.url, max: 1, logger: quiet });
    let release = () => {};
    const held = locker.begin(async (tx) => {
      await tx`LOCK TABLE event_tickets IN ACCESS EXCLUSIVE MODE`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const gone = new AbortController();
    const leaving = fetch(`${api.base}/api/events?ticket=${early}`, { signal: gone.signal }).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    gone.abort();
    await leaving;
    release();
    await held;
    await locker.end();
    // Nothing of the departed stream holds a slot: the cap (2) still admits two.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const a = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
    const b = await openStream(`${api.base}/api/events?ticket=${await ticket()}`);
    expect([a.status, b.status]).toEqual([200, 200]);
    await a.close();
    await b.close();
  });

  it('ends a stream when the credential it was opened with expires', async () => {
    const tickets = createEventTicketsRepository(api.db.sql);
    const shortLived = await tickets.issue(user.user.id, new Date(Date.now() + 1500));
    const stream = await openStream(`${api.base}/api/events?ticket=${shortLived}`);
    expect(stream.status).toBe(200);
    await until(stream.ended, 5000, 'the stream to end at the credential’s expiry');
    // The browser's automatic reconnect reuses the URL: a spent ticket is refused.
    expect((await fetch(`${api.base}/api/events?ticket=${shortLived}`)).status).toBe(401);
  });
});
