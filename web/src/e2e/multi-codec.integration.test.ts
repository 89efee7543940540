import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'mpd-parser';
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

/** expect.poll with room for a loaded machine (its default gives up after a second). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000 });

const videoState = (page: Page) =>
  page.evaluate<{ time: number; height: number; error: string | null }>(`(() => {
    const v = document.querySelector('video');
    return { time: v.currentTime, height: v.videoHeight,
             error: v.error && (v.error.message || String(v.error.code)) };
  })()`);

/**
 * Issue 17: a public video transcoded by `npm start` with `codecs: ["h264", "av1"]` has
 * both families in one master playlist; hls.js in Chromium (which decodes AV1) picks the
 * AV1 variants and plays them, while the master still starts on H.264 for the rest.
 */
describeWithChromium(['postgres', 'ffmpeg'], 'a multi-codec master in Chromium', () => {
  let work: string;
  let server: RunningAllInOne | undefined;
  let browser: LaunchedBrowser | undefined;
  let videoId: string;
  const url = (route: string) => `${server!.baseUrl}${route}`;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vf-multicodec-'));
    const dist = path.join(work, 'dist');
    const [clip] = await Promise.all([
      generateClip(work, { seconds: 8, size: '854x480' }),
      buildWeb(dist),
    ]);
    server = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: dist });
    ({ videoId } = await uploadTranscodedVideo(server, {
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
});
