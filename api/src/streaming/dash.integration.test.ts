import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, type ParsedManifest, type ParsedPlaylist } from 'mpd-parser';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { ApiErrorBody, type TokenResponse } from '@videoforge/contracts';
import { createLocalStorage, type LocalStorage } from '@videoforge/platform/storage';
import { call, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { makeRealWorldClip } from '../../../test/support/real-world-media.ts';

const run = promisify(execFile);
const transcoderMain = fileURLToPath(new URL('../../../transcoder/src/main.ts', import.meta.url));
const OUTPUT = 'videos/output/made/';
const SIGNING_SECRET = 'dash-integration-test-secret-0123456789';

/** A 5 s 480p clip with an English and a French AAC track and an English text subtitle. */
async function makeSdrSource(dir: string): Promise<string> {
  const srt = path.join(dir, 'source.srt');
  await writeFile(
    srt,
    '1\n00:00:00,500 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,500\nBye\n',
  );
  const file = path.join(dir, 'sdr.mp4');
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=854x480:rate=25:duration=5',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=5',
    '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000:duration=5',
    '-i', srt,
    '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'mov_text',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-metadata:s:s:0', 'language=eng',
    file,
  ]); // prettier-ignore
  return file;
}

/**
 * The real transcoder (its ladder, tracks and finalize commands, as the local runtime
 * runs them) over `source`, into a local storage of its own under OUTPUT.
 */
async function transcode(root: string, source: string, ladder: string[]): Promise<LocalStorage> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: tmpdir(),
    STORAGE_DRIVER: 'local',
    LOCAL_STORAGE_DIR: root,
    STORAGE_SIGNING_SECRET: SIGNING_SECRET,
    TRANSCODE_SOURCE_DIRS: path.dirname(source),
    TRANSCODE_PRESET: 'ultrafast',
    TRANSCODE_SEGMENT_SECONDS: '2',
    LOG_LEVEL: 'warn',
  };
  const common = ['--source', source, '--job-id', 'made', '--output-prefix', OUTPUT];
  for (const command of [['ladder', ...ladder], ['tracks'], ['finalize']])
    await run(process.execPath, [transcoderMain, command[0]!, ...common, ...command.slice(1)], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  return createLocalStorage({
    rootDir: root,
    publicBaseUrl: 'http://127.0.0.1:9/api/storage',
    signingSecret: SIGNING_SECRET,
  });
}

describeWith(
  ['postgres', 's3', 'ffmpeg'],
  'DASH manifests over the transcoded CMAF segments',
  () => {
    let api: TestApi;
    let alice: TokenResponse;
    let bob: TokenResponse;
    let work: string;
    let sdr: { videoId: string; made: LocalStorage };
    let hdr: { videoId: string; made: LocalStorage };

    /** A video and its succeeded job whose outputs are what the transcoder made. */
    async function publish(
      made: LocalStorage,
      visibility: 'public' | 'private',
      durationSeconds: number,
    ): Promise<string> {
      const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height, audio_codec)
      VALUES (${alice.user.id}, ${`dash ${visibility}`}, ${visibility}, 'ready', 'videos/raw/x/a.mp4', ${durationSeconds}, 854, 480, 'aac') RETURNING id`;
      const prefix = `videos/output/dash-${video!.id}/`;
      await api.db.sql`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix, completed_at)
      VALUES (${alice.user.id}, ${video!.id}, 'succeeded', 100, ${['480p']}, 'k', ${prefix}, now())`;
      for (const { key } of (await made.list(OUTPUT)).objects)
        await api.storage.put(
          `${prefix}${key.slice(OUTPUT.length)}`,
          await buffer(await made.get(key)),
        );
      return video!.id;
    }

    async function manifest(videoId: string, init: RequestInit = {}, query = '') {
      const response = await fetch(`${api.base}/api/stream/${videoId}/manifest.mpd${query}`, init);
      return { response, text: await response.text() };
    }

    /** Every URL the MPD lists answers 200 with the bytes the transcoder wrote under that name. */
    async function expectEveryUrlServesItsObject(made: LocalStorage, urls: string[]) {
      expect(urls.length).toBeGreaterThan(0);
      for (const url of new Set(urls)) {
        expect(url).toContain('X-Amz-Signature');
        const response = await fetch(url);
        expect(response.status, url).toBe(200);
        const key = decodeURIComponent(new URL(url).pathname).replace(
          /^.*?\/videos\/output\/dash-[0-9]+\//,
          OUTPUT,
        );
        expect(
          Buffer.from(await response.arrayBuffer()).equals(await buffer(await made.get(key))),
          key,
        ).toBe(true);
      }
    }

    const urlsOf = (playlists: ParsedPlaylist[]) =>
      playlists.flatMap((p) =>
        p.segments.flatMap((s) => [s.resolvedUri, ...(s.map ? [s.map.resolvedUri] : [])]),
      );
    const segmentSeconds = (p: ParsedPlaylist | undefined) =>
      (p?.segments ?? []).reduce((sum, s) => sum + s.duration, 0);
    const groups = (parsed: ParsedManifest, type: 'AUDIO' | 'SUBTITLES') =>
      Object.values(parsed.mediaGroups[type]).flatMap((group) => Object.entries(group));

    beforeAll(async () => {
      api = await startTestApi({
        postgresUrl: inject('postgresUrl'),
        storage: { kind: 's3', endpoint: inject('awsEndpoint') },
      });
      const register = async (username: string) =>
        (
          await call(api.base, 'POST', '/api/auth/register', {
            body: { username, email: `${username}@example.com`, password: 'Sup3r!secret' },
          })
        ).body as TokenResponse;
      alice = await register('alice');
      bob = await register('bob');
      work = await mkdtemp(path.join(tmpdir(), 'vf-dash-'));
      const sources = path.join(work, 'sources');
      await mkdir(sources);
      // One heavy ffmpeg run at a time: the SDR ladder, then the HDR one.
      const sdrMade = await transcode(path.join(work, 'sdr'), await makeSdrSource(sources), [
        '--renditions',
        '480p,360p',
      ]);
      const hdrClip = await makeRealWorldClip(sources, 'hdr10');
      const hdrMade = await transcode(path.join(work, 'hdr'), hdrClip.file, ['--hdr']);
      sdr = { videoId: await publish(sdrMade, 'public', 5), made: sdrMade };
      hdr = { videoId: await publish(hdrMade, 'private', 2), made: hdrMade };
    }, 300_000);
    afterAll(async () => {
      await api?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('lists every H.264 rendition, audio track and subtitle of a public video, and every URL it names plays', async () => {
      const caption = await call(api.base, 'POST', `/api/videos/${sdr.videoId}/captions`, {
        token: alice.accessToken,
        body: {
          language: 'de',
          label: 'Deutsch',
          content: '1\n00:00:01,000 --> 00:00:02,000\nHallo\n',
        },
      });
      expect(caption.status).toBe(201);

      const { response, text } = await manifest(sdr.videoId);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/dash+xml');
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const parsed = parse(text, {
        manifestUri: `${api.base}/api/stream/${sdr.videoId}/manifest.mpd`,
      });

      expect(parsed.duration).toBeCloseTo(5, 1);
      expect(
        parsed.playlists.map((p) => [
          p.attributes.NAME,
          p.attributes.RESOLUTION,
          p.attributes['FRAME-RATE'],
        ]),
      ).toEqual([
        ['480p', { width: 854, height: 480 }, 25],
        ['360p', { width: 640, height: 360 }, 25],
      ]);
      for (const playlist of parsed.playlists) {
        expect(playlist.attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6}$/);
        expect(playlist.attributes.BANDWIDTH).toBeGreaterThan(100_000);
        // 2 s segments over 5 s: the timeline adds up to the source, to the millisecond.
        expect(playlist.segments.length).toBe(3);
        expect(segmentSeconds(playlist)).toBeCloseTo(5, 2);
      }
      expect(text.match(/<AdaptationSet [^>]*contentType="video"/g)).toHaveLength(1);

      const audio = groups(parsed, 'AUDIO');
      expect(audio.map(([label, group]) => [label, group.language, group.default])).toEqual([
        ['English', 'en', true],
        ['French', 'fr', false],
      ]);
      for (const [, group] of audio) {
        expect(group.playlists[0]?.attributes.CODECS).toBe('mp4a.40.2');
        expect(segmentSeconds(group.playlists[0])).toBeCloseTo(5, 0);
      }
      const subtitles = groups(parsed, 'SUBTITLES');
      expect(subtitles.map(([label, group]) => [label, group.language])).toEqual([
        ['English', 'en'],
        ['Deutsch', 'de'],
      ]);
      await expectEveryUrlServesItsObject(sdr.made, [
        ...urlsOf(parsed.playlists),
        ...urlsOf(audio.flatMap(([, group]) => group.playlists)),
      ]);
      // The subtitles are whole WebVTT files: the transcoder's, and the sidecar caption.
      const [english, german] = subtitles.map(([, group]) => group.playlists[0]?.resolvedUri ?? '');
      await expectEveryUrlServesItsObject(sdr.made, [english!]);
      const sidecar = await fetch(german!);
      expect(sidecar.status).toBe(200);
      expect(await sidecar.text()).toMatch(
        /^WEBVTT[\s\S]*00:00:01\.000 --> 00:00:02\.000[\s\S]*Hallo/,
      );
    });

    it('lists what a running job has finished, once its audio tracks are up', async () => {
      const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height, audio_codec)
      VALUES (${alice.user.id}, 'dash early', 'public', 'playable', 'videos/raw/x/b.mp4', 5, 854, 480, 'aac') RETURNING id`;
      const prefix = `videos/output/dash-${video!.id}/`;
      const [job] = await api.db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
      VALUES (${alice.user.id}, ${video!.id}, 'running', 50, ${['480p', '360p']}, 'k', ${prefix}) RETURNING id`;
      const copy = async (folder: string) => {
        for (const { key } of (await sdr.made.list(`${OUTPUT}${folder}`)).objects)
          await api.storage.put(
            `${prefix}${key.slice(OUTPUT.length)}`,
            await buffer(await sdr.made.get(key)),
          );
      };
      await copy('360p/');
      await api.db.sql`
      INSERT INTO media_assets (job_id, video_id, asset_type, rendition, storage_key, content_type)
      VALUES (${job!.id}, ${video!.id}, 'rendition', '360p', ${`${prefix}360p/index.m3u8`}, 'application/vnd.apple.mpegurl')`;
      // Not without its sound.
      const silent = await manifest(video!.id);
      expect(silent.response.status).toBe(404);
      expect(ApiErrorBody.parse(JSON.parse(silent.text)).error.code).toBe('not_ready');

      await copy('tracks/');
      const early = await manifest(video!.id);
      expect(early.response.status).toBe(200);
      const parsed = parse(early.text);
      expect(parsed.playlists.map((p) => p.attributes.NAME)).toEqual(['360p']);
      expect(groups(parsed, 'AUDIO').map(([label]) => label)).toEqual(['English', 'French']);
      await expectEveryUrlServesItsObject(sdr.made, urlsOf(parsed.playlists));
    });

    it('gives a private video to its owner (session or stream token) with the HEVC HDR twin in its own set, and to no one else', async () => {
      const owner = await manifest(hdr.videoId, {
        headers: { Authorization: `Bearer ${alice.accessToken}` },
      });
      expect(owner.response.status).toBe(200);
      const parsed = parse(owner.text);
      expect(parsed.playlists.map((p) => p.attributes.NAME)).toEqual(['360p', '360p-hdr']);
      expect(parsed.playlists[0]?.attributes.CODECS).toMatch(/^avc1\./);
      expect(parsed.playlists[1]?.attributes.CODECS).toMatch(/^hvc1\.2\./);
      const sets = owner.text.split('<AdaptationSet ').slice(1);
      const videoSets = sets.filter((set) => set.includes('contentType="video"'));
      expect(videoSets).toHaveLength(2);
      expect(videoSets[0]).not.toContain('cicp');
      expect(videoSets[1]).toContain(
        '<SupplementalProperty schemeIdUri="urn:mpeg:mpegB:cicp:TransferCharacteristics" value="16"/>',
      );
      expect(parsed.duration).toBeCloseTo(2, 1);
      for (const playlist of parsed.playlists) expect(segmentSeconds(playlist)).toBeCloseTo(2, 2);
      await expectEveryUrlServesItsObject(hdr.made, [
        ...urlsOf(parsed.playlists),
        ...urlsOf(groups(parsed, 'AUDIO').flatMap(([, group]) => group.playlists)),
      ]);

      // The stream token the HLS master hands its variants opens the MPD too (a TV app).
      const master = await call(api.base, 'GET', `/api/stream/${hdr.videoId}/master.m3u8`, {
        token: alice.accessToken,
      });
      const st = /\?st=([^\s"]+)/.exec(String(master.body))?.[1] ?? '';
      expect(st).not.toBe('');
      expect((await manifest(hdr.videoId, {}, `?st=${st}`)).response.status).toBe(200);
      // Bound to alice: not for bob, even with her token; not for another video's token.
      const asBob = { headers: { Authorization: `Bearer ${bob.accessToken}` } };
      expect((await manifest(hdr.videoId, asBob, `?st=${st}`)).response.status).toBe(404);

      for (const [init, query] of [
        [{}, ''],
        [asBob, ''],
        [{}, '?st=eyJhbGciOiJIUzI1NiJ9.eyJ2aWQiOiIxIn0.c2lnbmF0dXJl'],
      ] as const) {
        const refused = await manifest(hdr.videoId, init, query);
        // The same answer as the HLS routes: the video does not exist for them.
        expect(refused.response.status).toBe(404);
        // The API's one error shape, exactly.
        expect(ApiErrorBody.parse(JSON.parse(refused.text)).error.code).toBe('not_found');
        expect(refused.text).not.toContain('X-Amz-Signature');
      }
      expect((await call(api.base, 'GET', '/api/stream/abc/manifest.mpd')).status).toBe(400);
    });
  },
);
