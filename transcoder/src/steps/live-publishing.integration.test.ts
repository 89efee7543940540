import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { liveManifestKey, renditionPlaylistKey } from '@videoforge/contracts';
import type { LocalStorage } from '@videoforge/platform/storage';
import type { SourceInput } from '@videoforge/platform/media';
import {
  makeClip,
  stereoTone,
  tempStorage,
  testSettings,
} from '../testing/integration.fixtures.ts';
import { defaultTemplates } from '../plan/ladder.ts';
import { transcodeRenditions } from './transcode.service.ts';

const settings = testSettings({
  encoder: { ...testSettings().encoder, preset: 'veryfast', segmentSeconds: 2 },
});
const templates = defaultTemplates().filter((t) => t.name === '360p' || t.name === '720p');

describeWith(['ffmpeg'], 'publishing segments while ffmpeg runs', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  let clip: SourceInput;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-live-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    storage = tempStorage(path.join(dir, 'storage'));
    const file = await makeClip(dir, 'clip.mp4', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1280x720:r=30:d=30',
      ...stereoTone(30),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      '-shortest',
    ]);
    clip = { kind: 'file', path: file, protocols: ['file'] };
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const read = async (key: string) =>
    storage.head(key).then(async (info) => (info ? text(await storage.get(key)) : undefined));

  it('serves an EVENT playlist of uploaded segments while running, then a VOD one', async () => {
    const prefix = 'videos/output/live1/';
    // What a player polling storage would see, with whether every segment it named was there.
    const seen: Array<{ playlist: string; live: boolean; segmentsThere: boolean }> = [];
    let running = true;
    const watch = (async () => {
      while (running) {
        const live = (await storage.head(liveManifestKey(prefix, '360p'))) !== undefined;
        const playlist = await read(renditionPlaylistKey(prefix, '360p'));
        if (playlist) {
          const uris = playlist.split('\n').filter((line) => line.endsWith('.m4s'));
          const heads = await Promise.all(uris.map((uri) => storage.head(`${prefix}360p/${uri}`)));
          seen.push({ playlist, live, segmentsThere: heads.every(Boolean) });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const outcome = await transcodeRenditions(
      {
        jobId: 'live1',
        source: clip,
        outputPrefix: prefix,
        strategy: 'ladder',
        renditions: templates,
      },
      { settings, storage, workRoot },
    );
    running = false;
    await watch;
    expect(outcome.status).toBe('succeeded');
    // While it ran: an EVENT playlist without ENDLIST, live.json beside it; once VOD it is
    // whole. Never a segment named before it was in storage.
    const events = seen.filter((sample) => sample.playlist.includes('#EXT-X-PLAYLIST-TYPE:EVENT'));
    expect(events.length).toBeGreaterThan(0);
    for (const sample of events) {
      expect(sample.playlist).not.toContain('#EXT-X-ENDLIST');
      expect(sample.live).toBe(true);
    }
    for (const sample of seen.filter((s) => !events.includes(s))) {
      expect(sample.playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      expect(sample.playlist).toContain('#EXT-X-ENDLIST');
    }
    expect(seen.every((sample) => sample.segmentsThere)).toBe(true);
    // Once finished: VOD with ENDLIST, and live.json gone.
    const final = await read(renditionPlaylistKey(prefix, '360p'));
    expect(final).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(final).toContain('#EXT-X-ENDLIST');
    expect(await storage.head(liveManifestKey(prefix, '360p'))).toBeUndefined();
    expect(await storage.head(`${prefix}tracks/live.json`)).toBeUndefined();
    expect(await storage.head(`${prefix}tracks/tracks.json`)).toBeDefined();
  }, 240_000);

  it('a cancelled encode leaves nothing under its prefix', async () => {
    const prefix = 'videos/output/live2/';
    const controller = new AbortController();
    const watch = (async () => {
      while (!(await storage.head(liveManifestKey(prefix, '360p'))))
        await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
    })();
    const outcome = await transcodeRenditions(
      {
        jobId: 'live2',
        source: clip,
        outputPrefix: prefix,
        strategy: 'ladder',
        renditions: templates,
        signal: controller.signal,
      },
      { settings, storage, workRoot },
    );
    await watch;
    expect(outcome.status).toBe('failed');
    expect((await storage.list(prefix)).objects).toEqual([]);
  }, 240_000);
});
