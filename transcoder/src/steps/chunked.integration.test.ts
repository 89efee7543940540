import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planChunks, type TranscoderEvent } from '@videoforge/contracts';
import type { SourceInput } from '@videoforge/platform/media';
import type { LocalStorage } from '@videoforge/platform/storage';
import { describeWith } from '../../../test/support/components.ts';
import { parseMediaPlaylist } from '../output/hls-playlist.ts';
import { defaultTemplates, type RenditionTemplate } from '../plan/ladder.ts';
import {
  listKeys,
  makeClip,
  stereoTone,
  tempStorage,
  testSettings,
} from '../testing/integration.fixtures.ts';
import { transcodeChunk } from './chunk.service.ts';
import { finalizeOutputs } from './finalize.service.ts';
import { stitchChunks } from './stitch.service.ts';
import { transcodeRenditions, transcodeTracks } from './transcode.service.ts';

const run = promisify(execFile);
const settings = testSettings();
const SECONDS = 20;
const FPS = 30;
const template = (name: string): RenditionTemplate => {
  const found = defaultTemplates().find((t) => t.name === name);
  if (!found) throw new Error(name);
  return found;
};
const renditions = [template('720p'), template('360p')];

/** Every decoded video frame's presentation time, in order (ffprobe decodes the whole input). */
async function frameTimes(input: string): Promise<number[]> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v', 'error', '-protocol_whitelist', 'file', '-select_streams', 'v:0',
      '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', input,
    ], // prettier-ignore
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .map((line) => line.replace(/,+$/, '').trim())
    .filter(Boolean)
    .map(Number);
}

describeWith(['ffmpeg'], 'the chunked strategy with real ffmpeg', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  let source: SourceInput;
  const file = (key: string) => storage.filePath(key);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-chunked-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    storage = tempStorage(path.join(dir, 'storage'));
    // Motion and noise in every frame: nothing an encoder can copy from a static pattern.
    const clip = await makeClip(dir, 'motion.mp4', [
      '-f', 'lavfi', '-i', `testsrc2=s=1280x720:r=${FPS}:d=${SECONDS},noise=alls=12:allf=t`,
      ...stereoTone(SECONDS),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '250', '-c:a', 'aac', '-shortest',
    ]); // prettier-ignore
    source = { kind: 'file', path: clip, protocols: ['file'] };

    // The unchunked ladder, for comparison.
    const unchunked = await transcodeRenditions(
      { jobId: 'u', source, outputPrefix: 'videos/output/u/', strategy: 'ladder', renditions },
      { settings, storage, workRoot },
    );
    expect(unchunked.status).toBe('succeeded');

    // Chunked: 20 s = four 6 s segments (the last one 2 s), cut into three chunks.
    const chunks = planChunks({ durationSeconds: SECONDS, segmentSeconds: 6, maxParallel: 3 });
    expect(chunks.map((c) => c.segmentCount)).toEqual([2, 1, 1]);
    const outcomes = await Promise.all(
      chunks.map((chunk) =>
        transcodeChunk(
          {
            jobId: 'c',
            source,
            outputPrefix: 'videos/output/c/',
            renditions,
            chunk: { ...chunk, segmentSeconds: 6 },
          },
          { settings, storage, workRoot },
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const tracks = await transcodeTracks(
      { jobId: 'c', source, outputPrefix: 'videos/output/c/' },
      { settings, storage, workRoot },
    );
    expect(tracks.status).toBe('succeeded');
    const events: TranscoderEvent[] = [];
    const stitched = await stitchChunks(
      {
        jobId: 'c',
        source,
        outputPrefix: 'videos/output/c/',
        renditions,
        chunks: chunks.length,
        onEvent: (event) => events.push(event),
      },
      { settings, storage, workRoot },
    );
    expect(stitched).toEqual({ status: 'succeeded', renditions: ['720p', '360p'] });
    expect(events.filter((e) => e.event === 'rendition-uploaded')).toHaveLength(2);
    const finalized = await finalizeOutputs(
      {
        jobId: 'c',
        source,
        outputPrefix: 'videos/output/c/',
        expectedRenditions: ['720p', '360p'],
      },
      { settings, storage, workRoot },
    );
    expect(finalized.status).toBe('succeeded');
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each rendition the unchunked segment list: same count, same durations, summing to the source', async () => {
    for (const name of ['720p', '360p']) {
      const chunked = parseMediaPlaylist(
        await readFile(file(`videos/output/c/${name}/index.m3u8`), 'utf8'),
      );
      const unchunked = parseMediaPlaylist(
        await readFile(file(`videos/output/u/${name}/index.m3u8`), 'utf8'),
      );
      expect(chunked.ended).toBe(true);
      expect(chunked.segments.map((s) => s.uri)).toEqual(unchunked.segments.map((s) => s.uri));
      expect(chunked.segments.map((s) => s.durationSeconds)).toEqual(
        unchunked.segments.map((s) => s.durationSeconds),
      );
      const total = chunked.segments.reduce((sum, s) => sum + s.durationSeconds, 0);
      expect(total).toBeCloseTo(SECONDS, 3);
    }
  });

  it('loses and repeats no frame at a chunk boundary: every frame once, timestamps continuous', async () => {
    const times = await frameTimes(file('videos/output/c/720p/index.m3u8'));
    expect(times).toHaveLength(SECONDS * FPS);
    const steps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.min(...steps)).toBeCloseTo(1 / FPS, 4);
    expect(Math.max(...steps)).toBeCloseTo(1 / FPS, 4);
    // The same timeline as the unchunked encode, frame for frame.
    const unchunked = await frameTimes(file('videos/output/u/720p/index.m3u8'));
    expect(times[0]).toBeCloseTo(unchunked[0] ?? -1, 4);
    expect(times.at(-1)).toBeCloseTo(unchunked.at(-1) ?? -1, 4);
  });

  it('plays the whole stitched master through, picture and sound together, for exactly the source duration', async () => {
    const master = file('videos/output/c/master.m3u8');
    const decoded = await run('ffmpeg', [
      '-v', 'error', '-protocol_whitelist', 'file', '-i', master,
      '-map', '0:v:0', '-map', '0:a:0', '-f', 'null', '-',
    ]); // prettier-ignore
    expect(decoded.stderr).toBe('');
    const { stdout } = await run('ffprobe', [
      '-v', 'error', '-protocol_whitelist', 'file', '-show_entries',
      'stream=codec_type,start_time,duration', '-of', 'json', master,
    ]); // prettier-ignore
    const streams = (
      JSON.parse(stdout) as {
        streams: Array<{ codec_type: string; start_time: string }>;
      }
    ).streams;
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    // A/V in sync: the video starts where it starts unchunked, within a frame of the sound.
    expect(Math.abs(Number(video?.start_time) - Number(audio?.start_time))).toBeLessThan(1.5 / FPS);
    const times = await frameTimes(file('videos/output/c/360p/index.m3u8'));
    expect((times.at(-1) ?? 0) - (times[0] ?? 0) + 1 / FPS).toBeCloseTo(SECONDS, 3);
  });

  it('assembles the progressive MP4 by stream copy: all frames, with the main mix', async () => {
    const mp4 = file('videos/output/c/720p/720p.mp4');
    expect(await frameTimes(mp4)).toHaveLength(SECONDS * FPS);
    const { stdout } = await run('ffprobe', [
      '-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', mp4,
    ]); // prettier-ignore
    const probed = JSON.parse(stdout) as {
      streams: Array<{ codec_type: string }>;
      format: { duration: string };
    };
    expect(probed.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probed.format.duration)).toBeCloseTo(SECONDS, 1);
  });

  it('shares one init segment across chunks and removes the chunks’ working files once stitched', async () => {
    expect(await listKeys(storage, 'videos/output/c/chunks/')).toEqual([]);
    const keys = await listKeys(storage, 'videos/output/c/720p/');
    expect(keys.filter((k) => k.endsWith('.m4s'))).toHaveLength(4);
    expect(keys).toContain('videos/output/c/720p/rendition.json');
  });
});
