import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'otplib';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  DownloadsResponse,
  MfaSetupResponse,
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
} from '@videoforge/contracts';
import { startAllInOne, type RunningAllInOne } from '../../test/support/all-in-one.ts';
import { call, generateClip, tmpdir } from '../../test/support/api-app.ts';
import { describeWith } from '../../test/support/components.ts';
import { waitUntil } from '../../test/support/process.ts';

const WEB_APP = { 'X-Requested-With': 'videoforge' };
const ADMIN_PASSWORD = 'Adm1n!bootstrap-pass';
const USER_PASSWORD = 'Us3r!flow-password';

/** The `vf_refresh` value of a response's Set-Cookie. */
function refreshCookie(headers: Headers): string {
  const line = headers.getSetCookie().find((c) => c.startsWith('vf_refresh='));
  return /^vf_refresh=([^;]*)/.exec(line ?? '')?.[1] ?? '';
}

/**
 * Issue 15, item 1: the whole flow a user goes through, against `npm start`'s process
 * at debug level, with every line it writes kept; then none of the secrets it handed
 * out (or was handed) may appear in any of them.
 */
describeWith(['postgres', 'ffmpeg'], 'no secret in any log line', () => {
  let app: RunningAllInOne;
  let dir: string;
  const log: string[] = [];
  const secrets = new Map<string, string>();
  const keep = (what: string, value: string | undefined | null) => {
    expect(value, what).toBeTruthy();
    secrets.set(`${what} #${secrets.size}`, value ?? '');
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-logs-'));
    app = await startAllInOne({
      postgresUrl: inject('postgresUrl'),
      env: {
        LOG_LEVEL: 'debug',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD,
        TRANSCODE_CONCURRENCY: '1',
      },
      onOutput: (chunk) => log.push(chunk),
    });
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('register, MFA, login, refresh, upload, events, stream and downloads log no token, cookie, signature or password', async () => {
    const base = app.baseUrl;
    keep('admin password', ADMIN_PASSWORD);
    keep('user password', USER_PASSWORD);

    const admin = await call(base, 'POST', '/api/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
    keep('admin access token', (admin.body as TokenResponse).accessToken);
    keep('admin refresh token', (admin.body as TokenResponse).refreshToken);

    // Register (the web app's way: the refresh token only as a cookie).
    const registered = await call(base, 'POST', '/api/auth/register', {
      headers: WEB_APP,
      body: { username: 'logan', email: 'logan@example.com', password: USER_PASSWORD },
    });
    expect(registered.status).toBe(201);
    let accessToken = (registered.body as TokenResponse).accessToken;
    keep('access token', accessToken);
    keep('refresh cookie', refreshCookie(registered.headers));

    // MFA enrolment, then a login with password and code.
    const setup = await call(base, 'POST', '/api/auth/mfa/setup', { token: accessToken });
    const { secret } = setup.body as MfaSetupResponse;
    keep('TOTP secret', secret);
    const step = Math.floor(Date.now() / 30_000);
    const verifyCode = await generate({ secret, epoch: (step - 1) * 30 + 1 });
    expect(
      (
        await call(base, 'POST', '/api/auth/mfa/verify', {
          token: accessToken,
          body: { code: verifyCode },
        })
      ).status,
    ).toBe(200);
    const totpCode = await generate({ secret, epoch: step * 30 + 1 });
    const login = await call(base, 'POST', '/api/auth/login', {
      headers: WEB_APP,
      body: { username: 'logan', password: USER_PASSWORD, totpCode },
    });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    accessToken = (login.body as TokenResponse).accessToken;
    keep('access token', accessToken);
    let cookie = refreshCookie(login.headers);
    keep('refresh cookie', cookie);

    // Refresh by cookie (browser) and by body (CLI).
    const byCookie = await call(base, 'POST', '/api/auth/refresh', {
      headers: { ...WEB_APP, Cookie: `vf_refresh=${cookie}` },
    });
    expect(byCookie.status).toBe(200);
    cookie = refreshCookie(byCookie.headers);
    keep('refresh cookie', cookie);
    accessToken = (byCookie.body as TokenResponse).accessToken;
    keep('access token', accessToken);
    const cli = await call(base, 'POST', '/api/auth/login', {
      body: {
        username: 'logan',
        password: USER_PASSWORD,
        totpCode: await generate({ secret, epoch: (step + 1) * 30 + 1 }),
      },
    });
    expect(cli.status, JSON.stringify(cli.body)).toBe(200);
    const byBody = await call(base, 'POST', '/api/auth/refresh', {
      body: { refreshToken: (cli.body as TokenResponse).refreshToken },
    });
    expect(byBody.status).toBe(200);
    keep('refresh token', (cli.body as TokenResponse).refreshToken);
    keep('refresh token', (byBody.body as TokenResponse).refreshToken);

    // Upload through a signed URL, then complete.
    const clip = await readFile(await generateClip(dir, { seconds: 4, size: '854x480' }));
    const created = await call(base, 'POST', '/api/uploads', {
      token: accessToken,
      body: { filename: 'clip.mp4', size: clip.length, contentType: 'video/mp4', title: 'Logged' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const upload = created.body as Extract<UploadCreateResponse, { mode: 'single' }>;
    keep('upload signature', new URL(upload.url).searchParams.get('signature'));
    expect((await fetch(upload.url, { method: 'PUT', body: clip })).status).toBe(200);

    // Live events through a single-use ticket, listening before the job starts.
    const bought = await call(base, 'POST', '/api/events/ticket', { token: accessToken });
    const { ticket } = bought.body as { ticket: string };
    keep('events ticket', ticket);
    const stream = await fetch(`${base}/api/events?ticket=${ticket}`, {
      signal: AbortSignal.timeout(150_000),
    });
    expect(stream.status).toBe(200);
    const completed = await call(base, 'POST', `/api/uploads/${upload.uploadId}/complete`, {
      token: accessToken,
      body: {},
    });
    expect(completed.status, JSON.stringify(completed.body)).toBe(201);
    const { video } = completed.body as UploadCompleteResponse;
    const decoder = new TextDecoder();
    let events = '';
    for await (const chunk of stream.body as AsyncIterable<Uint8Array>) {
      events += decoder.decode(chunk, { stream: true });
      if (/"status":"(succeeded|failed)"/.test(events)) break;
    }
    expect(events).toContain('"status":"succeeded"');

    // Stream: the master playlist carries stream tokens, the variants signed segment URLs.
    const master = await (
      await fetch(`${base}/api/stream/${video.id}/master.m3u8`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      })
    ).text();
    const variants = master.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(variants.length).toBeGreaterThan(0);
    for (const variant of variants) {
      const url = new URL(variant, `${base}/api/stream/${video.id}/`);
      for (const value of url.searchParams.values())
        if (value.length >= 16) keep('stream token', value);
      const playlist = await (await fetch(url)).text();
      for (const line of playlist.split('\n').filter((l) => l.startsWith('http'))) {
        const segment = new URL(line);
        keep('segment signature', segment.searchParams.get('signature'));
        expect((await fetch(segment)).status).toBe(200);
      }
    }
    const poster = await fetch(`${base}/api/stream/${video.id}/poster.jpg`, {
      headers: { Authorization: `Bearer ${accessToken}` },
      redirect: 'manual',
    });
    expect(poster.status).toBe(302);
    keep(
      'poster signature',
      new URL(poster.headers.get('location') ?? '').searchParams.get('signature'),
    );

    // Downloads: signed links to every MP4.
    const downloads = await call(base, 'GET', `/api/videos/${video.id}/downloads`, {
      token: accessToken,
    });
    const { items } = downloads.body as DownloadsResponse;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      keep('download signature', new URL(item.url).searchParams.get('signature'));
      expect((await fetch(item.url)).status).toBe(200);
    }
    expect((await call(base, 'POST', '/api/auth/logout', { token: accessToken })).status).toBe(204);

    // Give the process a moment to flush, then read every line it wrote.
    await waitUntil(async () => log.join('').includes('/api/auth/logout'), {
      timeoutMs: 5000,
      describe: () => log.join('').slice(-2000),
    });
    const lines = log.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(30);
    const leaks: string[] = [];
    for (const [what, value] of secrets)
      for (const line of lines)
        if (line.includes(value)) leaks.push(`${what} in: ${line.slice(0, 300)}`);
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThan(15);
    for (const line of lines) {
      expect(line.toLowerCase()).not.toContain('set-cookie');
      expect(line).not.toContain('vf_refresh=');
      expect(line).not.toMatch(/"authorization":"bearer/i);
    }
  }, 240_000);
});
