import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'mpd-parser';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import { generateClip } from '../../../test/support/api-app.ts';
import {
  describeWithChromium,
  launchChromium,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import {
  removeVideoSegments,
  uploadTranscodedVideo,
} from '../../../test/support/transcoded-video.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

/** expect.poll with room for a loaded machine (its default gives up after a second). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000 });

const videoState = (page: Page) =>
  page.evaluate<{ time: number; height: number; error: string | null }>(`(() => {
    const v = document.querySelector('video');
    return { time: v.currentTime, height: v.videoHeight,
             error: v.error && (v.error.message || String(v.error.code)) };
  })()`);

/**
 * A Chromium that decodes no AV1, as most hardware without an AV1 decoder answers: every
 * question a player asks about a codec (MSE, MediaCapabilities, canPlayType) says no for
 * av01. The rest of the browser is untouched.
 */
const REFUSE_AV1 = `(() => {
  const isAv1 = (type) => /av01/i.test(String(type ?? ''));
  for (const MediaSourceKind of [window.MediaSource, window.ManagedMediaSource]) {
    if (!MediaSourceKind) continue;
    const isTypeSupported = MediaSourceKind.isTypeSupported.bind(MediaSourceKind);
    MediaSourceKind.isTypeSupported = (type) => !isAv1(type) && isTypeSupported(type);
  }
  const canPlayType = HTMLMediaElement.prototype.canPlayType;
  HTMLMediaElement.prototype.canPlayType = function (type) {
    return isAv1(type) ? '' : canPlayType.call(this, type);
  };
  const capabilities = navigator.mediaCapabilities;
  if (capabilities) {
    const decodingInfo = capabilities.decodingInfo.bind(capabilities);
    capabilities.decodingInfo = (configuration) =>
      isAv1(configuration?.video?.contentType)
        ? Promise.resolve({ supported: false, smooth: false, powerEfficient: false, configuration })
        : decodingInfo(configuration);
  }
})();`;

type Engine = 'hls.js' | 'shaka';
const MODE: Record<Engine, string> = { 'hls.js': 'hls', shaka: 'shaka' };
const MISSING_SEGMENT =
  'Part of this video is missing from storage (a segment answered 404). Reload the page; if it stays, the owner can transcode it again.';

/**
 * Issue 17: a public video transcoded by `npm start` with `codecs: ["h264", "av1"]` has
 * both families in one master playlist and one MPD. In Chromium (which decodes AV1) hls.js
 * on the master and Shaka on the MPD pick the AV1 variants; in a Chromium that refuses
 * AV1 both pick H.264; either way they play, seek and follow the Quality menu. When
 * storage loses the segments, both say so in words. One transcode serves every test.
 */
describeWithChromium(['postgres', 'ffmpeg'], 'a multi-codec master in Chromium', () => {
  let work: string;
  let server: RunningAllInOne | undefined;
  let browser: LaunchedBrowser | undefined;
  let videoId: string;
  let jobId: string;
  const url = (route: string) => `${server!.baseUrl}${route}`;

  /** A page on the video with the given player, recording which variant each segment came from. */
  async function openVideo(engine: Engine, options: { refuseAv1?: boolean } = {}) {
    const context = await browser!.newContext();
    await context.addInitScript(
      `localStorage.setItem('videoforge.player', ${JSON.stringify(engine)});`,
    );
    if (options.refuseAv1) await context.addInitScript(REFUSE_AV1);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const fetched: string[] = [];
    page.on('requestfinished', (request) => {
      const match = /\/([0-9]+p(?:-av1)?)\/(?:segment-\d+\.m4s|init\.mp4)/.exec(request.url());
      if (match?.[1]) fetched.push(match[1]);
    });
    await page.goto(url(`/videos/${videoId}`));
    const player = page.getByTestId('player');
    await poll(() => player.getAttribute('data-mode')).toBe(MODE[engine]);
    return { context, page, player, fetched, pageErrors };
  }

  /** Plays, seeks to half way with "5" and plays on, then picks 360p: the picture follows. */
  async function playSeekAndPick360p(page: Page, fetched: string[], family: 'av1' | 'h264') {
    const player = page.getByTestId('player');
    await page.getByTestId('play-button').click();
    await poll(async () => (await videoState(page)).time).toBeGreaterThan(1);
    await poll(async () => (await videoState(page)).height).toBeGreaterThan(0);

    // 8 s clip: "5" jumps to 4 s, and it plays on from there.
    await player.focus();
    await page.keyboard.press('5');
    await poll(async () => (await videoState(page)).time).toBeGreaterThanOrEqual(4);
    await poll(async () => (await videoState(page)).time).toBeGreaterThan(4.5);

    // A manual size stays in the family playing.
    await page.getByTestId('quality-button').click();
    const options = await page
      .getByRole('menu', { name: 'Quality' })
      .getByRole('menuitemradio')
      .all();
    const sizes = await Promise.all(options.map((option) => option.getAttribute('data-testid')));
    expect(sizes).toEqual(['quality-option-auto', 'quality-option-480p', 'quality-option-360p']);
    await page.getByTestId('quality-option-360p').click();
    await poll(async () => (await videoState(page)).height).toBe(360);
    await poll(() => player.getAttribute('data-playing-height')).toBe('360');
    const variant = family === 'av1' ? '360p-av1' : '360p';
    await poll(() => fetched.includes(variant)).toBe(true);
    expect(await page.getByTestId('quality-button').textContent()).toBe('360p');
    expect(await player.getAttribute('data-playing-family')).toBe(
      family === 'av1' ? 'av01' : 'avc1',
    );
  }

  async function expectCleanPlayback(
    page: Page,
    context: BrowserContext,
    pageErrors: string[],
  ): Promise<void> {
    expect((await videoState(page)).error).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vf-multicodec-'));
    const dist = path.join(work, 'dist');
    const [clip] = await Promise.all([
      generateClip(work, { seconds: 8, size: '854x480' }),
      buildWeb(dist),
    ]);
    server = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: dist });
    ({ videoId, jobId } = await uploadTranscodedVideo(server, {
      owner: { username: 'codec-ada', email: 'ada@example.com', password: 'Sup3r!secret' },
      clip,
      title: 'Two families',
      visibility: 'public',
      complete: { codecs: ['h264', 'av1'] },
      timeoutMs: 300_000,
    }));
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists H.264 first and AV1 after it; hls.js plays the AV1 variants, a manual size included', async () => {
    const master = await (await fetch(url(`/api/stream/${videoId}/master.m3u8`))).text();
    const variants = master
      .split('\n')
      .filter((line) => /^[0-9]+p(-av1)?\/index\.m3u8/.test(line))
      .map((line) => line.split('/')[0]);
    expect(variants).toEqual(['480p', '360p', '480p-av1', '360p-av1']);
    expect(master).toMatch(/CODECS="av01\.0\.\d{2}M\.08,mp4a\.40\.2"/);

    // The DASH MPD over the same segments has the AV1 family as a set of its own.
    const mpd = parse(await (await fetch(url(`/api/stream/${videoId}/manifest.mpd`))).text());
    expect(mpd.playlists.map((p) => [p.attributes.NAME, p.attributes.CODECS])).toEqual([
      ['480p', expect.stringMatching(/^avc1\./)],
      ['360p', expect.stringMatching(/^avc1\./)],
      ['480p-av1', expect.stringMatching(/^av01\.0\.\d{2}M\.08$/)],
      ['360p-av1', expect.stringMatching(/^av01\.0\.\d{2}M\.08$/)],
    ]);

    const context = await browser!.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Which variant each video segment (and init segment) came from.
    const fetched: string[] = [];
    page.on('requestfinished', (request) => {
      const match = /\/([0-9]+p(?:-av1)?)\/(?:segment-\d+\.m4s|init\.mp4)/.exec(request.url());
      if (match?.[1]) fetched.push(match[1]);
    });

    await page.goto(url(`/videos/${videoId}`));
    expect(
      await page.evaluate(`MediaSource.isTypeSupported('video/mp4; codecs="av01.0.04M.08"')`),
    ).toBe(true);
    const player = page.getByTestId('player');
    await poll(() => player.getAttribute('data-mode')).toBe('hls');
    await page.getByTestId('play-button').click();
    await poll(async () => (await videoState(page)).time).toBeGreaterThan(1);
    await poll(async () => (await videoState(page)).height).toBeGreaterThan(0);

    // A manual size stays in the family playing: the 360p choice is the AV1 360p.
    await page.getByTestId('quality-button').click();
    await page.getByTestId('quality-option-360p').click();
    await poll(async () => (await videoState(page)).height).toBe(360);
    await poll(() => fetched.includes('360p-av1')).toBe(true);

    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.filter((variant) => !variant.endsWith('-av1'))).toEqual([]);
    expect((await videoState(page)).error).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('Shaka on the DASH MPD plays the AV1 set where Chromium decodes AV1, seeks and switches size', async () => {
    const { context, page, player, fetched, pageErrors } = await openVideo('shaka');
    await poll(() => player.getAttribute('data-playing-family')).toBe('av01');
    await playSeekAndPick360p(page, fetched, 'av1');
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.filter((variant) => !variant.endsWith('-av1'))).toEqual([]);
    await expectCleanPlayback(page, context, pageErrors);
  });

  for (const engine of ['hls.js', 'shaka'] as const)
    it(`${engine} plays the H.264 family in a Chromium without AV1, seeks and switches size`, async () => {
      const { context, page, player, fetched, pageErrors } = await openVideo(engine, {
        refuseAv1: true,
      });
      expect(
        await page.evaluate(`MediaSource.isTypeSupported('video/mp4; codecs="av01.0.04M.08"')`),
      ).toBe(false);
      await poll(() => player.getAttribute('data-playing-family')).toBe('avc1');
      await playSeekAndPick360p(page, fetched, 'h264');
      expect(fetched.length).toBeGreaterThan(0);
      expect(fetched.filter((variant) => variant.endsWith('-av1'))).toEqual([]);
      await expectCleanPlayback(page, context, pageErrors);
    });

  // Last: it breaks the shared job for good.
  it('tells the viewer, with either player, that storage lost the segments', async () => {
    const removed = await removeVideoSegments(server!.storageDir, jobId);
    expect(removed.filter((key) => key.endsWith('/init.mp4')).length).toBe(4);
    for (const engine of ['hls.js', 'shaka'] as const) {
      const { context, page } = await openVideo(engine);
      await page.getByTestId('play-button').click();
      await expect
        .poll(() => page.getByTestId('player').getByRole('alert').textContent(), {
          timeout: 60_000,
        })
        .toBe(MISSING_SEGMENT);
      expect((await videoState(page)).time).toBe(0);
      await context.close();
    }
  }, 150_000);
});
