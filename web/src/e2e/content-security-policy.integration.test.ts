import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

/**
 * Issue 15, item 11: the real web build served by `npm start` with its CSP on; a signed-in
 * viewer opens a transcoded video and hls.js plays it (blob: media, its worker, playlists
 * and signed segment URLs, the poster, the events stream) with no violation reported.
 */
describeWithChromium(
  ['postgres', 'ffmpeg'],
  'the web app under its Content-Security-Policy',
  () => {
    let work: string;
    let server: RunningAllInOne | undefined;
    let browser: LaunchedBrowser | undefined;
    let videoId: string;

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'vf-csp-'));
      const dist = path.join(work, 'dist');
      const [clip] = await Promise.all([
        generateClip(work, { seconds: 4, size: '854x480' }),
        buildWeb(dist),
      ]);
      server = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: dist });
      ({ videoId } = await uploadTranscodedVideo(server, {
        owner: { username: 'uploader', email: 'uploader@example.com', password: PASSWORD },
        clip,
        title: 'CSP',
        timeoutMs: 150_000,
      }));
      browser = await launchChromium();
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('plays a video with hls.js and reports no CSP violation; the policy is enforced', async () => {
      const context = await browser!.newContext();
      await context.addInitScript(RECORD_VIOLATIONS);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const consoleCsp: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) consoleCsp.push(message.text());
      });
      const url = (route: string) => `${server!.baseUrl}${route}`;

      const document = await page.goto(url('/register'));
      const headers = document!.headers();
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy']).toContain("media-src 'self' blob:");
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['strict-transport-security']).toBeUndefined(); // plain HTTP here

      // Signed in, so the events stream (a ticket in its URL) runs too.
      await page.getByLabel('Username', { exact: true }).fill('viewer');
      await page.getByLabel('Email').fill('viewer@example.com');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL('**/upload');

      await page.goto(url(`/videos/${videoId}`));
      const player = page.getByTestId('player');
      await expect.poll(() => player.getAttribute('data-mode')).toBe('hls');
      await page.getByTestId('play-button').click();
      await expect
        .poll(() => page.evaluate<number>('document.querySelector("video").currentTime'), {
          timeout: 30_000,
        })
        .toBeGreaterThan(1);
      expect(
        await page.evaluate(
          'document.querySelector("video").error && document.querySelector("video").error.message',
        ),
      ).toBeNull();
      await page.goto(url('/'));
      await page.getByTestId('video-card').first().waitFor();
      expect(await page.evaluate('window.__cspViolations')).toEqual([]);
      expect(consoleCsp).toEqual([]);

      // The policy is live: an injected inline script is refused and reported.
      await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.appendChild(s);
    })()`);
      await expect
        .poll(() => page.evaluate<string[]>('window.__cspViolations'))
        .toEqual([expect.stringMatching(/^script-src/)]);
      expect(await page.evaluate('window.__injected === true')).toBe(false);
      await context.close();
    });
  },
);
