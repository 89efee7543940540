import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  Job,
  TokenResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
  Video,
} from '@videoforge/contracts';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import { call, generateClip } from '../../../test/support/api-app.ts';
import {
  describeWithChromium,
  launchChromium,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import { waitUntil } from '../../../test/support/process.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

const PASSWORD = 'Sup3r!secret';
const CLIP_SECONDS = 120;
/** The longest HLS segment the transcoder writes (its target duration), in seconds. */
const SEGMENT_SECONDS = 6;

/**
 * What the page saw of its <video>, recorded by the page itself as it happened: when
 * `playing` first fired (and whether the player said "still processing" then), every
 * stall (`waiting`) after that, and the position at `ended`.
 */
const RECORD_PLAYBACK = `
  window.__playback = { playingAt: null, processingShown: null, waits: 0, resumes: 0, ended: null };
  document.addEventListener('playing', (e) => {
    const p = window.__playback;
    if (p.playingAt === null) {
      p.playingAt = Date.now();
      p.processingShown = !!document.querySelector('[data-testid="still-processing"][role="status"]');
    } else if (p.waits > p.resumes) p.resumes++;
  }, true);
  document.addEventListener('waiting', () => {
    if (window.__playback.playingAt !== null) window.__playback.waits++;
  }, true);
  document.addEventListener('ended', (e) => {
    window.__playback.ended = { time: e.target.currentTime, duration: e.target.duration };
  }, true);
`;

interface Recorded {
  playingAt: number | null;
  processingShown: boolean | null;
  waits: number;
  resumes: number;
  ended: { time: number; duration: number } | null;
}

/**
 * Issue 16, item 3: a 2-minute clip starts playing through hls.js while its job still
 * runs (the EVENT playlists the transcoder publishes as it encodes), the player says it
 * is still processing meanwhile, and it plays on into the segments written later, to
 * the end, at 1×.
 */
describeWithChromium(['postgres', 'ffmpeg'], 'playing a video while it transcodes', () => {
  let work: string;
  let clip: string;
  let server: RunningAllInOne | undefined;
  let browser: LaunchedBrowser | undefined;
  const url = (route: string) => `${server!.baseUrl}${route}`;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'vf-live-play-'));
    const dist = path.join(work, 'dist');
    [clip] = await Promise.all([
      generateClip(work, { seconds: CLIP_SECONDS, size: '1280x720' }),
      buildWeb(dist),
    ]);
    server = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: dist });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('starts through hls.js while the job runs, says it is still processing, and plays to the end', async () => {
    const base = server!.baseUrl;
    const owner = (
      await call(base, 'POST', '/api/auth/register', {
        body: { username: 'live-ada', email: 'live-ada@example.com', password: PASSWORD },
      })
    ).body as TokenResponse;
    const token = owner.accessToken;

    const context = await browser!.newContext();
    await context.addInitScript(RECORD_PLAYBACK);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url('/login'));
    await page.getByLabel('Username or email').fill('live-ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((at) => !at.pathname.startsWith('/login'));

    // Upload through the API; the page opens the video while its job runs.
    const bytes = await readFile(clip);
    const created = (
      await call(base, 'POST', '/api/uploads', {
        token,
        body: {
          filename: 'clip.mp4',
          size: bytes.length,
          contentType: 'video/mp4',
          title: 'Live',
        },
      })
    ).body as Extract<UploadCreateResponse, { mode: 'single' }>;
    expect((await fetch(created.url, { method: 'PUT', body: bytes })).status).toBe(200);
    const { video, job } = (
      await call(base, 'POST', `/api/uploads/${created.uploadId}/complete`, { token, body: {} })
    ).body as UploadCompleteResponse;
    const jobNow = async () =>
      (await call(base, 'GET', `/api/jobs/${job.id}`, { token })).body as Job;

    await page.goto(url(`/videos/${video.id}`));
    // The player appears once the job is playable (the events stream says so), not at the end.
    const play = page.getByTestId('play-button');
    await play.waitFor({ state: 'visible', timeout: 90_000 });
    expect(await page.getByTestId('player').getAttribute('data-mode')).toBe('hls');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Still processing' }).count())
      .toBe(1);
    await play.click();

    const recorded = () => page.evaluate<Recorded>('window.__playback');
    // What the page shows if it does not start: the player's own words and the element's state.
    let seen = '';
    await waitUntil(
      async () => {
        seen = await page.evaluate<string>(`JSON.stringify({
          alert: document.querySelector('[data-testid="player"] [role="alert"]')?.textContent,
          readyState: document.querySelector('video').readyState,
          time: document.querySelector('video').currentTime,
          paused: document.querySelector('video').paused,
        })`);
        return (await recorded()).playingAt !== null;
      },
      { timeoutMs: 60_000, intervalMs: 250, describe: () => `${seen} ${pageErrors.join('; ')}` },
    );
    const atPlaying = await jobNow();
    const started = await recorded();
    // Playing while the job still runs: the API says so, then and by its completion time.
    expect(atPlaying.status).toBe('running');
    expect(atPlaying.playable).toBe(true);
    expect(Date.parse(atPlaying.playableAt!)).toBeLessThanOrEqual(started.playingAt!);
    expect(started.processingShown).toBe(true);

    // It plays on to the end, through the segments written after it started.
    await waitUntil(
      async () => {
        seen = await page.evaluate<string>(`JSON.stringify({
          alert: document.querySelector('[data-testid="player"] [role="alert"]')?.textContent,
          readyState: document.querySelector('video').readyState,
          time: document.querySelector('video').currentTime,
          duration: document.querySelector('video').duration,
          paused: document.querySelector('video').paused,
          buffered: Array.from({ length: document.querySelector('video').buffered.length }, (_, i) =>
            [document.querySelector('video').buffered.start(i), document.querySelector('video').buffered.end(i)]),
          playback: window.__playback,
        })`);
        return (await recorded()).ended !== null;
      },
      { timeoutMs: (CLIP_SECONDS + 80) * 1000, intervalMs: 1000, describe: () => seen },
    );
    const done = await jobNow();
    expect(done.status).toBe('succeeded');
    expect(started.playingAt!).toBeLessThan(Date.parse(done.completedAt!));
    const { ended, waits, resumes } = await recorded();
    const { durationSeconds } = (await call(base, 'GET', `/api/videos/${video.id}`, { token }))
      .body as Video;
    expect(Math.abs(ended!.time - durationSeconds!)).toBeLessThan(SEGMENT_SECONDS);
    // Every stall (playback catching up with the encode) resumed.
    expect(resumes).toBe(waits);
    // Done: the player is in its normal state, no longer saying it is processing.
    await expect
      .poll(() => page.getByTestId('still-processing').count(), { timeout: 30_000 })
      .toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 600_000);
});
