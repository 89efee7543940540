import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import { generateClip } from '../../../test/support/api-app.ts';
import {
  describeWithChromium,
  launchChromium,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import { uploadTranscodedVideo } from '../../../test/support/transcoded-video.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

const PASSWORD = 'Sup3r!secret';

/** Collects every CSP violation the page reports, from the first script on. */
const RECORD_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });
`;

/** expect.poll with room for a loaded machine (its default gives up after a second). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000 });

const videoState = (page: Page) =>
  page.evaluate<{ time: number; height: number; paused: boolean; error: string | null }>(`(() => {
    const v = document.querySelector('video');
    return { time: v.currentTime, height: v.videoHeight, paused: v.paused,
             error: v.error && (v.error.message || String(v.error.code)) };
  })()`);

/**
 * Issue 17: the Player setting switched to Shaka in the controls, and a private video
 * transcoded by `npm start` (854×480: a 480p and a 360p rendition) played from its DASH
 * MPD in Chromium under the app's Content-Security-Policy; hls.js stays the default, and
 * both players' failures reach the viewer in words.
 */
describeWithChromium(['postgres', 'ffmpeg'], 'Shaka Player on the DASH manifest', () => {
  let work: string;
  let server: RunningAllInOne | undefined;
  let browser: LaunchedBrowser | undefined;
  let videoId: string;
  const url = (route: string) => `${server!.baseUrl}${route}`;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vf-shaka-'));
    const dist = path.join(work, 'dist');
    const [clip] = await Promise.all([
      generateClip(work, { seconds: 12, size: '854x480' }),
      buildWeb(dist),
    ]);
    server = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: dist });
    ({ videoId } = await uploadTranscodedVideo(server, {
      owner: { username: 'shaka-ada', email: 'ada@example.com', password: PASSWORD },
      clip,
      title: 'Shaka',
      // Private: the MPD request needs the viewer's session.
      visibility: 'private',
      timeoutMs: 180_000,
    }));
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('plays, seeks and switches quality with Shaka once chosen; the choice holds; no CSP violation', async () => {
    const context = await browser!.newContext();
    await context.addInitScript(RECORD_VIOLATIONS);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const consoleCsp: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) consoleCsp.push(message.text());
    });
    const manifests: { url: string; bearer: boolean; status: number }[] = [];
    page.on('requestfinished', (request) => {
      if (!/\/manifest\.mpd|\/master\.m3u8/.test(request.url())) return;
      void request.response().then((response) =>
        manifests.push({
          url: new URL(request.url()).pathname,
          bearer: /^Bearer .+/.test(request.headers()['authorization'] ?? ''),
          status: response?.status() ?? 0,
        }),
      );
    });

    await page.goto(url('/login'));
    await page.getByLabel('Username or email').fill('shaka-ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((at) => !at.pathname.startsWith('/login'));

    // hls.js is the default.
    await page.goto(url(`/videos/${videoId}`));
    const player = page.getByTestId('player');
    await poll(() => player.getAttribute('data-mode')).toBe('hls');
    const choice = page.getByTestId('player-engine-button');
    expect(await choice.getAttribute('aria-label')).toBe('Player: hls.js');

    await choice.click();
    await page.getByRole('menuitemradio', { name: 'Shaka Player' }).click();
    await poll(() => player.getAttribute('data-mode')).toBe('shaka');
    expect(await page.evaluate(`localStorage.getItem('videoforge.player')`)).toBe('shaka');

    // The choice outlives a reload.
    await page.reload();
    await poll(() => player.getAttribute('data-mode')).toBe('shaka');
    expect(await choice.getAttribute('aria-label')).toBe('Player: Shaka Player');
    await poll(() => manifests.filter((m) => m.url.endsWith('/manifest.mpd')).at(-1)).toEqual({
      url: `/api/stream/${videoId}/manifest.mpd`,
      bearer: true,
      status: 200,
    });

    // Quality levels come from Shaka's variant tracks.
    await page.getByTestId('quality-button').click();
    const options = await page
      .getByRole('menu', { name: 'Quality' })
      .getByRole('menuitemradio')
      .all();
    expect(await Promise.all(options.map((option) => option.getAttribute('data-testid')))).toEqual([
      'quality-option-auto',
      'quality-option-480p',
      'quality-option-360p',
    ]);
    await page.keyboard.press('Escape');

    await page.getByTestId('play-button').click();
    await poll(async () => (await videoState(page)).time).toBeGreaterThan(1);

    // Seek: "5" jumps to half way (6 s of 12), and it plays on from there.
    await player.focus();
    await page.keyboard.press('5');
    await poll(async () => (await videoState(page)).time).toBeGreaterThanOrEqual(6);
    await poll(async () => (await videoState(page)).time).toBeGreaterThan(6.5);
    await page.keyboard.press('Home');
    await poll(async () => (await videoState(page)).time).toBeLessThan(6);

    // A manual quality: the decoded picture's height follows, and so does the player's.
    for (const height of [360, 480]) {
      await page.getByTestId('quality-button').click();
      await page.getByTestId(`quality-option-${height}p`).click();
      await poll(async () => (await videoState(page)).height).toBe(height);
      await poll(() => player.getAttribute('data-playing-height')).toBe(String(height));
      expect(await page.getByTestId('quality-button').textContent()).toBe(`${height}p`);
    }
    await page.getByTestId('quality-button').click();
    await page.getByTestId('quality-option-auto').click();
    expect(await page.getByTestId('quality-button').textContent()).toMatch(/^Auto \((480|360)p\)$/);

    const state = await videoState(page);
    expect(state.error).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(consoleCsp).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('tells the viewer when a manifest is broken or missing, with either player', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(url('/login'));
    await page.getByLabel('Username or email').fill('shaka-ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((at) => !at.pathname.startsWith('/login'));
    await page.evaluate(`localStorage.setItem('videoforge.player', 'shaka')`);
    const alert = page.getByTestId('player').getByRole('alert');

    // Cut off mid-document, as a proxy truncating the answer would leave it.
    await page.route('**/manifest.mpd*', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/dash+xml',
        body: '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><Period><Adapt',
      }),
    );
    await page.goto(url(`/videos/${videoId}`));
    await poll(() => page.getByTestId('player').getAttribute('data-mode')).toBe('shaka');
    expect(await alert.textContent()).toMatch(
      /^The stream's manifest could not be read \(Shaka error 4\d{3}\)\.$/,
    );

    await page.unroute('**/manifest.mpd*');
    await page.route('**/manifest.mpd*', (route) => route.fulfill({ status: 404, body: '' }));
    await page.reload();
    expect(await alert.textContent()).toBe('This video has no playable renditions yet.');

    await page.evaluate(`localStorage.setItem('videoforge.player', 'hls.js')`);
    await page.route('**/master.m3u8*', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/vnd.apple.mpegurl',
        body: 'not a playlist',
      }),
    );
    await page.reload();
    await poll(() => page.getByTestId('player').getAttribute('data-mode')).toBe('hls');
    expect(await alert.textContent()).toBe(
      "The stream's playlist could not be read (manifestParsingError).",
    );
    await context.close();
  });
});
