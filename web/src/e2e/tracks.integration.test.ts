import { execFile } from 'node:child_process';
import { readFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Job,
  TokenResponse,
  TracksResponse,
  UploadCompleteResponse,
  UploadCreateResponse,
} from '@videoforge/contracts';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import {
  accessibilityViolations,
  describeWithChromium,
  launchChromium,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

const run = promisify(execFile);
const webDir = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = path.resolve(webDir, '..');
const screenshots = path.join(repoRoot, 'test-results', 'screenshots');

/**
 * 4 s of 640×360 in Matroska (the lowest rendition: a smaller source is the video branch's case): a commentary (440 Hz) first, the default main mix
 * (1000 Hz) second, and French SubRip subtitles.
 */
async function generateClip(dir: string): Promise<string> {
  const srt = path.join(dir, 'fr.srt');
  await writeFile(srt, '1\n00:00:00,200 --> 00:00:03,800\nBonjour tout le monde\n');
  const file = path.join(dir, 'two-tracks.mkv');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=4'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=4'],
    ...['-i', srt, '-map', '0', '-map', '1', '-map', '2', '-map', '3'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'srt'],
    ...['-metadata:s:a:0', 'title=Commentary', '-metadata:s:a:0', 'language=eng'],
    ...['-metadata:s:a:1', 'title=Main', '-metadata:s:a:1', 'language=eng'],
    ...['-metadata:s:s:0', 'language=fre', '-disposition:a:0', '0', '-disposition:a:1', 'default'],
    file,
  ]); // prettier-ignore
  return file;
}

describeWithChromium(
  ['postgres', 'ffmpeg'],
  'two audio tracks and captions, uploaded to npm start and played in Chromium',
  () => {
    let work: string;
    let clip: string;
    let server: RunningAllInOne | undefined;
    let browser: LaunchedBrowser | undefined;
    let token: string;
    let videoId: string;
    const url = (route: string) => `${server!.baseUrl}${route}`;

    async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
      const response = await fetch(url(route), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (!response.ok)
        throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    }

    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'vf-tracks-e2e-'));
      await mkdir(screenshots, { recursive: true });
      const dist = path.join(work, 'dist');
      [clip] = await Promise.all([generateClip(work), buildWeb(dist)]);
      server = await startAllInOne({ postgresUrl: inject('postgresUrl'), webDistDir: dist });
      browser = await launchChromium();
      const registered = await fetch(url('/api/auth/register'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          username: 'tracks-ada',
          email: 'ada@example.com',
          password: 'Sup3r!secret',
        }),
      });
      token = ((await registered.json()) as TokenResponse).accessToken;
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** Upload → job → done, as the upload page does it; resolves with the video id. */
    async function uploadAndTranscode(file: string, contentType: string): Promise<string> {
      const upload = await api<UploadCreateResponse>('POST', '/api/uploads', {
        filename: path.basename(file),
        size: (await stat(file)).size,
        contentType,
        title: path.basename(file),
        visibility: 'public',
      });
      if (upload.mode !== 'single') throw new Error('expected a single-part upload');
      const put = await fetch(upload.url, { method: 'PUT', body: await readFile(file) });
      expect(put.ok).toBe(true);
      const completed = await api<UploadCompleteResponse>(
        'POST',
        `/api/uploads/${upload.uploadId}/complete`,
        {},
      );
      let job: Job | undefined;
      for (let i = 0; i < 240; i += 1) {
        job = await api<Job>('GET', `/api/jobs/${completed.job.id}`);
        if (job.status === 'succeeded' || job.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(job?.status, job?.errorMessage ?? '').toBe('succeeded');
      // The job row says what became of the audio/subtitle workload.
      expect(job?.tracks).toMatchObject({ phase: 'succeeded' });
      return completed.video.id;
    }

    async function masterOf(id: string): Promise<HLS.types.MasterPlaylist> {
      const master = HLS.parse(await (await fetch(url(`/api/stream/${id}/master.m3u8`))).text());
      if (!(master instanceof HLS.types.MasterPlaylist)) throw new Error('not a master playlist');
      return master;
    }

    it('uploads a two-track source with subtitles; the job makes both audio renditions and the WebVTT one', async () => {
      videoId = await uploadAndTranscode(clip, 'video/x-matroska');

      // A sidecar caption on top, through the API.
      await api('POST', `/api/videos/${videoId}/captions`, {
        language: 'en',
        label: 'English',
        content: '1\n00:00:00,500 --> 00:00:03,500\nHello from a sidecar\n',
      });

      const variant = (await masterOf(videoId)).variants[0];
      expect(variant?.codecs).toMatch(/mp4a\.40\.2/);
      expect(variant?.audio.map((a) => [a.name, a.isDefault, a.language])).toEqual([
        ['Commentary', false, 'en'],
        ['Main', true, 'en'],
      ]);
      expect(variant?.subtitles.map((s) => [s.name, s.language])).toEqual([
        ['French', 'fr'],
        ['English', 'en'],
      ]);
      const { tracks } = await api<TracksResponse>('GET', `/api/videos/${videoId}/tracks`);
      expect(tracks?.audio.map((a) => [a.name, a.default])).toEqual([
        ['Commentary', false],
        ['Main', true],
      ]);
      // The progressive download keeps the main mix.
      const downloads = await api<{ items: Array<{ url: string }> }>(
        'GET',
        `/api/videos/${videoId}/downloads`,
      );
      const mp4 = path.join(work, 'download.mp4');
      await writeFile(mp4, Buffer.from(await (await fetch(downloads.items[0]!.url)).arrayBuffer()));
      const { stdout } = await run('ffprobe', [
        '-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', mp4,
      ]); // prettier-ignore
      expect(stdout.trim().split('\n')).toEqual(['video', 'audio']);
    }, 180_000);

    it('uploads 5.1 + mono audio starting late with mov_text: stereo and mono renditions in sync, English subtitles', async () => {
      const srt = path.join(work, 'en.srt');
      await writeFile(srt, '1\n00:00:01,000 --> 00:00:02,000\nLate hello\n');
      const file = path.join(work, 'surround-late.mp4');
      await run('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-y'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=3'],
        ...['-itsoffset', '0.5', '-f', 'lavfi', '-i', 'aevalsrc=0.1*sin(440*2*PI*t)|0.1*sin(550*2*PI*t)|0.1*sin(660*2*PI*t)|0.1*sin(50*2*PI*t)|0.1*sin(770*2*PI*t)|0.1*sin(880*2*PI*t):s=48000:c=5.1:d=2.5'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000:duration=3', '-i', srt],
        ...['-map', '0', '-map', '1', '-map', '2', '-map', '3', '-c:v', 'libx264', '-preset', 'ultrafast'],
        ...['-c:a', 'aac', '-ac:a:1', '1', '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng'],
        ...['-metadata:s:a:1', 'language=ger', '-disposition:a:1', '0'],
        file,
      ]); // prettier-ignore
      const id = await uploadAndTranscode(file, 'video/mp4');
      const { tracks } = await api<TracksResponse>('GET', `/api/videos/${id}/tracks`);
      expect(
        tracks?.audio.map((a) => [a.sourceChannels, a.channels, a.downmix, a.default]),
      ).toEqual([
        [6, 2, 'downmixed', true],
        [1, 1, 'none', false],
      ]);
      expect(tracks?.subtitles.map((s) => [s.sourceCodec, s.language])).toEqual([
        ['mov_text', 'en'],
      ]);
      const variant = (await masterOf(id)).variants[0];
      expect(variant?.audio.map((a) => [a.channels, a.isDefault, a.language])).toEqual([
        ['2', true, undefined],
        ['1', false, 'de'],
      ]);
      // The main rendition as a player fetches it: playlist via the API, segments signed.
      const base = url(`/api/stream/${id}/master.m3u8`);
      const media = HLS.parse(await (await fetch(new URL(variant!.audio[0]!.uri!, base))).text());
      if (!(media instanceof HLS.types.MediaPlaylist)) throw new Error('not a media playlist');
      const parts = [media.segments[0]!.map.uri, ...media.segments.map((s) => s.uri)];
      const joined = path.join(work, 'main-audio.mp4');
      await writeFile(
        joined,
        Buffer.concat(
          await Promise.all(
            parts.map(async (u) => Buffer.from(await (await fetch(u)).arrayBuffer())),
          ),
        ),
      );
      const { stdout } = await run('ffprobe', [
        '-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=channels:packet=pts_time',
        '-read_intervals', '%+#1', '-of', 'json', joined,
      ]); // prettier-ignore
      const probed = JSON.parse(stdout) as {
        streams: Array<{ channels: number }>;
        packets: Array<{ pts_time: string }>;
      };
      expect(probed.streams[0]?.channels).toBe(2);
      // Padded to start with the video (which starts at 0) although the source's starts 0.5 s late.
      expect(Number(probed.packets[0]?.pts_time)).toBeLessThanOrEqual(1024 / 48_000);
    }, 180_000);

    it('plays it through hls.js, switches the audio track and the captions from the menus', async () => {
      const context = await browser!.newContext();
      const page: Page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const playlists: string[] = [];
      page.on('request', (request) => {
        const match = /\/tracks\/([asc][0-9]+)\/index\.m3u8/.exec(request.url());
        if (match?.[1]) playlists.push(match[1]);
      });
      page.setDefaultTimeout(20_000);
      await page.goto(url(`/videos/${videoId}`));
      const player = page.getByTestId('player');
      await page.getByTestId('play-button').click();
      // The main mix plays first: DEFAULT=YES.
      await expect.poll(() => player.getAttribute('data-audio-track')).toBe('Main');
      await expect
        .poll(() => page.evaluate(`document.querySelector('video').currentTime`))
        .toBeGreaterThan(0.3);
      await page.getByText('Audio and subtitles').waitFor();

      // Audio menu: two tracks, Main checked; pick the commentary.
      await page.getByTestId('audio-button').click();
      expect(await page.getByTestId('audio-option-1').getAttribute('aria-checked')).toBe('true');
      await page.screenshot({ path: path.join(screenshots, 'tracks-01-audio-menu.png') });
      const violations = await accessibilityViolations(page);
      expect(violations).toEqual([]);
      await page.getByTestId('audio-option-0').click();
      await expect.poll(() => player.getAttribute('data-audio-track')).toBe('Commentary');
      await expect.poll(() => playlists.includes('a0')).toBe(true);

      // Captions menu: Off, the embedded French track and the sidecar English one.
      await page.getByTestId('captions-button').click();
      const labels = await page.getByRole('menuitemradio').allTextContents();
      expect(labels.map((label) => label.replace('✓', ''))).toEqual([
        'Off',
        'Frenchfr',
        'Englishen',
      ]);
      await page.getByTestId('captions-option-1').click();
      await expect.poll(() => player.getAttribute('data-subtitle-track')).toBe('English');
      await page.evaluate(
        `(() => { const v = document.querySelector('video'); v.pause(); v.currentTime = 1; })()`,
      );
      const showing = () =>
        page.evaluate<string>(`(() => {
          const tracks = [...document.querySelector('video').textTracks];
          const shown = tracks.find((t) => t.mode === 'showing');
          return shown ? [shown.label, ...[...(shown.cues ?? [])].map((c) => c.text)].join('|') : '';
        })()`);
      await expect.poll(showing, { timeout: 15_000 }).toBe('English|Hello from a sidecar');
      await page.screenshot({ path: path.join(screenshots, 'tracks-02-captions.png') });

      await page.getByTestId('captions-button').click();
      await page.getByTestId('captions-option-0').click();
      await expect.poll(showing, { timeout: 15_000 }).toBe('French|Bonjour tout le monde');
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);

    it('plays it through Shaka Player on the MPD, switches the audio track and the captions from the menus', async () => {
      const context = await browser!.newContext();
      // The Player setting, as the Player menu leaves it.
      await context.addInitScript(`localStorage.setItem('videoforge.player', 'shaka')`);
      const page: Page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const audioSegments = new Set<string>();
      page.on('request', (request) => {
        const match = /\/tracks\/(a[0-9]+)\//.exec(request.url());
        if (match?.[1]) audioSegments.add(match[1]);
      });
      page.setDefaultTimeout(20_000);
      await page.goto(url(`/videos/${videoId}`));
      const player = page.getByTestId('player');
      // expect.poll's default second is short for a player still being fetched.
      const wait = { timeout: 15_000 };
      await expect.poll(() => player.getAttribute('data-mode'), wait).toBe('shaka');
      await page.getByTestId('play-button').click();
      // The main mix plays first: Role "main".
      await expect.poll(() => player.getAttribute('data-audio-track'), wait).toBe('Main');
      await expect
        .poll(() => page.evaluate(`document.querySelector('video').currentTime`), wait)
        .toBeGreaterThan(0.3);

      await page.getByTestId('audio-button').click();
      const audioLabels = await page.getByRole('menuitemradio').allTextContents();
      expect(audioLabels.map((label) => label.replace('✓', ''))).toEqual([
        'Commentaryen',
        'Mainen',
      ]);
      expect(await page.getByTestId('audio-option-1').getAttribute('aria-checked')).toBe('true');
      await page.getByTestId('audio-option-0').click();
      await expect.poll(() => player.getAttribute('data-audio-track'), wait).toBe('Commentary');
      await expect.poll(() => audioSegments.has('a0'), wait).toBe(true);

      await page.getByTestId('captions-button').click();
      const labels = await page.getByRole('menuitemradio').allTextContents();
      expect(labels.map((label) => label.replace('✓', ''))).toEqual([
        'Off',
        'Frenchfr',
        'Englishen',
      ]);
      await page.getByTestId('captions-option-1').click();
      await expect.poll(() => player.getAttribute('data-subtitle-track')).toBe('English');
      await page.evaluate(
        `(() => { const v = document.querySelector('video'); v.pause(); v.currentTime = 1; })()`,
      );
      const showing = () =>
        page.evaluate<string>(`(() => {
          const tracks = [...document.querySelector('video').textTracks];
          const shown = tracks.find((t) => t.mode === 'showing');
          return shown ? [...(shown.activeCues ?? [])].map((c) => c.text).join('|') : '';
        })()`);
      await expect.poll(showing, { timeout: 15_000 }).toBe('Hello from a sidecar');

      await page.getByTestId('captions-button').click();
      await page.getByTestId('captions-option-0').click();
      await expect.poll(showing, { timeout: 15_000 }).toBe('Bonjour tout le monde');
      await page.getByTestId('captions-button').click();
      await page.getByTestId('captions-option--1').click();
      await expect.poll(() => player.getAttribute('data-subtitle-track')).toBe('off');
      await expect.poll(showing, { timeout: 15_000 }).toBe('');
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  },
);
