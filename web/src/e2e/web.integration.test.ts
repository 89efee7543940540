import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate } from 'otplib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import {
  accessibilityViolations,
  describeWithChromium,
  launchChromium,
  type AccessibilityViolation,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

const run = promisify(execFile);
const webDir = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = path.resolve(webDir, '..');
const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
const PASSWORD = 'Sup3r!secret';
const MiB = 1024 * 1024;

/**
 * 8 s of 1280×720 test pattern with a tone. Constant 12 Mbit/s, so the file (~12 MB)
 * goes up as three 5 MiB parts in parallel.
 */
async function generateClip(dir: string): Promise<string> {
  const file = path.join(dir, 'test-pattern.mp4');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', '8', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-b:v', '12M', '-minrate', '12M', '-maxrate', '12M', '-bufsize', '4M'],
    ...['-x264-params', 'nal-hrd=cbr', '-c:a', 'aac', '-shortest', '-movflags', '+faststart'],
    file,
  ]);
  return file;
}

describeWithChromium(['postgres', 'ffmpeg'], 'the web app in Chromium (all-in-one)', () => {
  let work: string;
  let clip: string;
  let server: RunningAllInOne | undefined;
  let browser: LaunchedBrowser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const suffix = Date.now().toString(36);

  async function open(options?: { width: number; height: number }): Promise<Page> {
    const context = await browser!.newContext(options ? { viewport: options } : undefined);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.setDefaultTimeout(20_000);
    return page;
  }

  const url = (route: string) => `${server!.baseUrl}${route}`;
  const a11y: Record<string, AccessibilityViolation[]> = {};
  /** A screenshot of the page, and an accessibility check (axe-core) of the same state. */
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
    const violations = await accessibilityViolations(page);
    if (violations.length > 0) a11y[name] = violations;
  };

  const refreshCookie = async (page: Page) =>
    (await page.context().cookies()).find((cookie) => cookie.name === 'vf_refresh');

  async function register(page: Page, username: string): Promise<void> {
    await page.goto(url('/register'));
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Email').fill(`${username}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/upload');
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vf-web-e2e-'));
    await mkdir(screenshots, { recursive: true });
    const dist = path.join(work, 'dist');
    [clip] = await Promise.all([generateClip(work), buildWeb(dist)]);
    server = await startAllInOne({
      postgresUrl: inject('postgresUrl'),
      webDistDir: dist,
      env: { MULTIPART_PART_BYTES: String(5 * MiB) },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows sign-in, the live password policy, and an expired session', async () => {
    const page = await open();
    await page.goto(url('/login'));
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await shot(page, '01-login');
    await page.goto(url('/register'));
    const password = page.getByLabel('Password', { exact: true });
    await password.fill('abc');
    expect(await page.getByTestId('policy-length').getAttribute('data-met')).toBe('false');
    expect(await page.getByTestId('policy-lower').getAttribute('data-met')).toBe('true');
    await password.fill('abcDEF1!');
    for (const rule of ['length', 'upper', 'lower', 'digit', 'symbol'])
      expect(await page.getByTestId(`policy-${rule}`).getAttribute('data-met')).toBe('true');
    await shot(page, '02-register');

    // A session the server no longer accepts (a well-formed refresh cookie it never issued):
    // the page says so and asks to sign in, and the API drops the cookie.
    await page.context().addCookies([
      {
        name: 'vf_refresh',
        value: `00000000-0000-4000-8000-000000000000.${'x'.repeat(43)}`,
        domain: new URL(server!.baseUrl).hostname,
        path: '/api/auth',
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
    await page.evaluate(`localStorage.setItem('videoforge.session', '1')`);
    await page.goto(url('/my-videos'));
    await page.waitForURL('**/login');
    await page.getByText('Your session has expired').waitFor();
    await shot(page, '02-session-expired');
    expect(await refreshCookie(page)).toBeUndefined();
  });

  it('registers, uploads, transcodes live to 100%, plays, switches quality; the gallery shows the poster; a second user cannot see it once private', async () => {
    const page = await open();
    const alice = `alice-${suffix}`;
    await register(page, alice);

    // The refresh token is an HttpOnly cookie: not in storage, not readable by scripts, and
    // a reload resumes the session with it.
    const cookie = await refreshCookie(page);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    expect(await page.evaluate('document.cookie')).not.toContain('vf_refresh');
    const stored = await page.evaluate<string>(
      'JSON.stringify([{ ...localStorage }, { ...sessionStorage }])',
    );
    expect(stored).not.toContain(cookie!.value);
    expect(stored).not.toMatch(/[0-9a-f-]{36}\.[\w-]{43}/);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(page.url()).toMatch(/\/upload$/);
    // The Uppy page's first address still leads to it.
    await page.goto(url('/upload/batch'));
    await page.waitForURL(/\/upload$/);
    await page.getByRole('heading', { name: 'Upload videos' }).waitFor();

    // Something that is not a video is refused with a clear message, per file (and removed
    // from storage).
    const item = (name: string) =>
      page.locator(`[data-testid="queue-item"][data-file-name="${name}"]`);
    await page.locator('#upload-files').setInputFiles({
      name: 'notes.mp4',
      mimeType: 'video/mp4',
      buffer: Buffer.from('these are not the frames you are looking for\n'.repeat(100)),
    });
    await page.getByRole('button', { name: 'Upload 1 file' }).click();
    await expect
      .poll(() => item('notes.mp4').getByTestId('file-error').textContent(), { timeout: 30_000 })
      .toMatch(/Refused: the upload is not a usable video/);
    await shot(page, '03-upload-refused');
    await page.getByRole('button', { name: 'Remove notes.mp4' }).click();

    // Drag and drop queues a file (this small one is removed before the clip is chosen).
    const dataTransfer = await page.evaluateHandle(
      `(() => { const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array(1024)], 'dropped.mp4', { type: 'video/mp4' })); return dt; })()`,
    );
    await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => page.getByTestId('upload-file-name').textContent()).toBe('dropped.mp4');
    await page.getByRole('button', { name: 'Remove dropped.mp4' }).click();
    await expect.poll(() => page.getByTestId('queue-item').count()).toBe(0);

    // Upload: the browser probes the file and disables renditions above the source.
    const clipName = path.basename(clip);
    const chooseClip = async () => {
      await page.locator('#upload-files').setInputFiles(clip);
      await expect
        .poll(() => item(clipName).getByTestId('client-probe').textContent())
        .toContain('1280×720');
      await page.getByLabel(`Title for ${clipName}`).fill(`Test pattern ${suffix}`);
      await page
        .getByLabel(`Description for ${clipName}`)
        .fill('Generated by ffmpeg for the end-to-end test.');
    };
    await chooseClip();
    const format = (name: string) => page.locator(`input[name="formats"][value="${name}"]`);
    expect(await format('2160p').isDisabled()).toBe(true);
    expect(await format('1080p').isDisabled()).toBe(true);
    expect(await format('720p').isChecked()).toBe(true);
    expect(await format('480p').isChecked()).toBe(true);
    expect(await format('360p').isChecked()).toBe(true);
    await shot(page, '03-upload-selected');
    expect((await stat(clip)).size).toBeGreaterThan(10 * MiB);

    // Slow the uplink so the progress bar can be watched: ~2 MiB/s.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const uplink = (bytesPerSecond: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: bytesPerSecond,
      });
    await uplink(2 * MiB);
    const uploadPercent = async () =>
      Number((await page.getByTestId('file-progress').getAttribute('aria-valuenow')) ?? 0);

    // First attempt: cancel part-way; the upload is aborted on the server.
    const aborted = page.waitForResponse(
      (response) =>
        response.request().method() === 'DELETE' && response.url().includes('/api/uploads/'),
    );
    await page.getByRole('button', { name: 'Upload 1 file' }).click();
    await expect.poll(uploadPercent, { timeout: 30_000 }).toBeGreaterThan(3);
    await page.getByRole('button', { name: `Cancel ${clipName}` }).click();
    expect((await aborted).status()).toBe(204);
    await expect.poll(() => page.getByTestId('queue-item').count()).toBe(0);

    // Second attempt: to the end, with speed and time left on the way.
    await chooseClip();
    await page.getByRole('button', { name: 'Upload 1 file' }).click();
    await expect.poll(uploadPercent, { timeout: 30_000 }).toBeGreaterThan(25);
    await expect
      .poll(() => page.getByTestId('file-progress-text').textContent())
      .toMatch(/[KM]B\/s · about \d+ s left/);
    await shot(page, '04-upload-progress');
    await uplink(-1);

    // Upload done → live transcode status from server-sent events, up to 100%.
    const jobStatus = page.getByTestId('job-status');
    await jobStatus.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('metadata-resolution').textContent())
      .toContain('1280×720');
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          seen.add((await page.getByTestId('job-progress').textContent()) ?? '');
          if (seen.size === 2) await shot(page, '05-transcoding');
          return jobStatus.getAttribute('data-status');
        },
        { timeout: 240_000, interval: 250 },
      )
      .toBe('succeeded');
    expect(await page.getByTestId('job-progress').textContent()).toBe('100%');
    for (const rendition of ['720p', '480p', '360p'])
      expect(await page.getByTestId(`rendition-${rendition}`).textContent()).toContain('ready');
    await shot(page, '06-transcoded');

    // Play it: hls.js, time advances, no media error.
    await page.getByTestId('watch-link').click();
    await page.waitForURL('**/videos/*');
    const videoPath = new URL(page.url()).pathname;
    const player = page.getByTestId('player');
    await expect.poll(() => player.getAttribute('data-mode')).toBe('hls');
    await page.getByTestId('quality-button').waitFor();
    await page.getByTestId('play-button').click();
    const currentTime = () => page.evaluate<number>('document.querySelector("video").currentTime');
    const mediaError = () =>
      page.evaluate(
        'document.querySelector("video").error && document.querySelector("video").error.message',
      );
    await expect.poll(currentTime, { timeout: 30_000 }).toBeGreaterThan(1);
    expect(await mediaError()).toBeNull();
    await shot(page, '07-playing');

    // Switch quality by hand: hls.js moves to 360p and playback continues.
    await page.getByTestId('quality-button').click();
    const menu = page.getByRole('menu', { name: 'Quality' });
    expect(await menu.getByRole('menuitemradio').allTextContents()).toEqual([
      expect.stringMatching(/Auto/),
      expect.stringMatching(/^720p/),
      expect.stringMatching(/^480p/),
      expect.stringMatching(/^360p/),
    ]);
    await shot(page, '08-quality-menu');
    await page.getByTestId('quality-option-360p').click();
    await expect
      .poll(() => player.getAttribute('data-playing-height'), { timeout: 30_000 })
      .toBe('360');
    expect(await page.getByTestId('quality-button').textContent()).toBe('360p');
    const before = await currentTime();
    await page.evaluate(
      'document.querySelector("video").paused && document.querySelector("video").play()',
    );
    await expect.poll(currentTime, { timeout: 30_000 }).toBeGreaterThan(before + 0.5);
    expect(await mediaError()).toBeNull();

    // Keyboard: the focused player answers Home and the arrows (seek) and K (play/pause).
    await player.focus();
    await page.keyboard.press('Home');
    await expect.poll(currentTime).toBeLessThan(1.5);
    await page.keyboard.press('ArrowRight');
    await expect.poll(currentTime).toBeGreaterThan(4);
    const paused = () => page.evaluate<boolean>('document.querySelector("video").paused');
    const wasPaused = await paused();
    await page.keyboard.press('k');
    await expect.poll(paused).toBe(!wasPaused);

    // Seek thumbnails from the WebVTT sprite track.
    const seek = page.getByRole('slider', { name: 'Seek' });
    const box = (await seek.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect
      .poll(() =>
        page.evaluate(
          `(document.querySelector('[data-testid="seek-preview"] div') || {style: {}}).style.backgroundImage || ''`,
        ),
      )
      .toContain('sprite.jpg');
    await shot(page, '09-seek-preview');

    // The gallery shows it with its poster.
    await page.goto(url('/gallery'));
    const cardSelector = `[data-testid="video-card"][data-video-id="${videoPath.split('/').at(-1)}"]`;
    const card = page.locator(cardSelector);
    await card.waitFor();
    await expect
      .poll(() =>
        page.evaluate(
          `document.querySelector('${cardSelector} img[data-testid="poster"]')?.naturalWidth ?? 0`,
        ),
      )
      .toBeGreaterThan(0);
    await shot(page, '10-gallery');
    await card.hover();
    await page.getByTestId('sprite-preview').waitFor();
    await shot(page, '10-gallery-hover-preview');
    await page.goto(url('/my-videos'));
    await card.waitFor();
    await shot(page, '11-my-videos');
    const phone = await open({ width: 390, height: 844 });
    await phone.goto(url('/gallery'));
    await phone.locator(cardSelector).waitFor();
    await shot(phone, '11-gallery-phone');
    await phone.goto(url(videoPath));
    await phone.getByTestId('player').waitFor();
    await shot(phone, '11-video-phone');

    // Account settings: MFA enrolment by QR code, verified with a code from the key shown.
    await page.goto(url('/account'));
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await page.getByTestId('mfa-qr').waitFor();
    await shot(page, '12-account-mfa');
    const secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // A code is accepted once (the API claims its time step), and ±30 s of drift is
    // allowed: enrol with the previous step's code, sign in below with the next one's.
    const codeFor = (offsetSeconds: number) =>
      generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
    await page.getByLabel('Authentication code').fill(await codeFor(-30));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await page.getByText('Two-factor authentication is on.').waitFor();
    await expect.poll(() => page.getByTestId('mfa-state').textContent()).toMatch(/^On:/);
    await shot(page, '12-account-mfa-on');

    // Signing out ends the session (the cookie goes); signing in again asks for the code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await expect.poll(() => refreshCookie(page)).toBeUndefined();
    await page.getByLabel('Username or email').fill(alice);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const totp = page.getByLabel('Authentication code');
    await totp.waitFor();
    await shot(page, '12-login-mfa');
    await totp.fill(await codeFor(30));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/gallery');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await refreshCookie(page)).toMatchObject({ httpOnly: true });

    // Make it private; a second user sees neither the card nor the page.
    await page.goto(url(videoPath));
    await page.getByLabel('Visibility').selectOption('private');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await shot(page, '13-video-private');

    // Without Media Source Extensions (and a private video, so no native HLS either) the
    // player falls back to the MP4 renditions, with the same quality menu.
    const noMse = await page.context().newPage();
    noMse.on('pageerror', (error) => pageErrors.push(`${noMse.url()}: ${error.message}`));
    await noMse.addInitScript(
      'delete window.MediaSource; delete window.ManagedMediaSource; delete window.WebKitMediaSource;',
    );
    await noMse.goto(url(videoPath));
    // A fresh tab resumes the session before the video (and its player) shows: more than
    // expect.poll's default second on a loaded machine.
    await expect
      .poll(() => noMse.getByTestId('player').getAttribute('data-mode'), { timeout: 20_000 })
      .toBe('mp4');
    await expect
      .poll(() => noMse.getByTestId('player').getAttribute('data-playing-height'))
      .toBe('720');
    await noMse.getByTestId('play-button').click();
    await expect
      .poll(() => noMse.evaluate<number>('document.querySelector("video").currentTime'), {
        timeout: 30_000,
      })
      .toBeGreaterThan(1);
    await noMse.getByTestId('quality-button').click();
    await noMse.getByTestId('quality-option-480p').click();
    await expect
      .poll(() => noMse.getByTestId('player').getAttribute('data-playing-height'))
      .toBe('480');
    expect(
      await noMse.evaluate(
        'document.querySelector("video").error && document.querySelector("video").error.message',
      ),
    ).toBeNull();
    await shot(noMse, '13-video-mp4-fallback');
    await noMse.close();

    const bobPage = await open();
    await register(bobPage, `bob-${suffix}`);
    await bobPage.goto(url('/gallery'));
    await bobPage.getByRole('heading', { name: 'Gallery' }).waitFor();
    await expect.poll(() => bobPage.getByText('No videos match.').isVisible()).toBe(true);
    expect(await bobPage.locator('[data-testid="video-card"]').count()).toBe(0);
    await bobPage.goto(url(videoPath));
    await bobPage.getByText('Video not found').waitFor();
    await shot(bobPage, '14-private-not-found');
    const masterStatus = await bobPage.evaluate(
      `fetch(${JSON.stringify(`/api/stream${videoPath.replace('/videos', '')}/master.m3u8`)}).then((r) => r.status)`,
    );
    expect(masterStatus).toBe(404);

    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('has no serious or critical accessibility violations on any page it showed', () => {
    expect(a11y).toEqual({});
  });
});
