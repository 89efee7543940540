import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { TracksManifest } from '@videoforge/contracts';
import { parseCaptions, type SourceInput } from '@videoforge/platform/media';
import type { LocalStorage } from '@videoforge/platform/storage';
import { finalizeOutputs } from './finalize.service.ts';
import { makeClip, probeFile, tempStorage, testSettings } from '../testing/integration.fixtures.ts';
import { transcodeTracks, transcodeRenditions } from './transcode.service.ts';

const run = promisify(execFile);
const settings = testSettings();
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];
/** One AAC frame at 48 kHz: the A/V start tolerance. */
const AAC_FRAME_SECONDS = 1024 / 48_000;

/** Mono PCM of a file's first audio stream, as 16-bit little-endian samples. */
async function decodePcm(file: string): Promise<Int16Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 2));
}

/** The dominant frequency of a pure tone from its zero crossings (skipping the first 0.2 s). */
function toneFrequency(samples: Int16Array, sampleRate = 48_000): number {
  const from = Math.floor(sampleRate * 0.2);
  let crossings = 0;
  for (let i = from + 1; i < samples.length; i += 1) {
    const previous = samples[i - 1] ?? 0;
    const current = samples[i] ?? 0;
    if (previous < 0 && current >= 0) crossings += 1;
  }
  return crossings / ((samples.length - from) / sampleRate);
}

describeWith(['ffmpeg'], 'audio tracks and subtitles through the transcoder', () => {
  let dir: string;
  let workRoot: string;
  let storage: LocalStorage;
  const clips: Record<string, string> = {};
  const source = (name: string): SourceInput => ({
    kind: 'file',
    path: clips[name] ?? '',
    protocols: ['file'],
  });
  const file = (job: string, key: string) => storage.filePath(`videos/output/${job}/${key}`);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-tracks-'));
    workRoot = path.join(dir, 'work');
    await mkdir(workRoot);
    storage = tempStorage(path.join(dir, 'storage'));
    const media = path.join(dir, 'media');
    await mkdir(media);
    const srt = path.join(media, 'cues.srt');
    await writeFile(
      srt,
      '1\n00:00:00,500 --> 00:00:01,500\nHello <i>world</i>\n\n2\n00:00:02,000 --> 00:00:02,800\nSecond line\n',
    );
    // A commentary (440 Hz) first, the default main mix (1000 Hz) second, and subtitles
    // as SubRip (French), ASS (Spanish) and WebVTT (German), in Matroska as a rip would be.
    clips.commentary = await makeClip(media, 'commentary.mkv', [
      '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=3',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:d=3',
      '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:d=3',
      '-i', srt, '-i', srt, '-i', srt,
      '-map', '0', '-map', '1', '-map', '2', '-map', '3', '-map', '4', '-map', '5', ...x264, '-c:a', 'aac',
      '-c:s:0', 'srt', '-c:s:1', 'ass', '-c:s:2', 'webvtt',
      '-metadata:s:s:1', 'language=spa', '-metadata:s:s:2', 'language=ger',
      '-metadata:s:a:0', "title=Director's commentary", '-metadata:s:a:0', 'language=eng',
      '-metadata:s:a:1', 'title=Main', '-metadata:s:a:1', 'language=eng',
      '-metadata:s:s:0', 'language=fre',
      '-disposition:a:0', '0', '-disposition:a:1', 'default',
    ]); // prettier-ignore
    // 5.1 (default) and a mono second track.
    clips.channels = await makeClip(media, 'channels.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2',
      '-f', 'lavfi', '-i', 'aevalsrc=0.1*sin(440*2*PI*t)|0.1*sin(550*2*PI*t)|0.1*sin(660*2*PI*t)|0.1*sin(50*2*PI*t)|0.1*sin(770*2*PI*t)|0.1*sin(880*2*PI*t):s=48000:c=5.1:d=2',
      '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000:d=2',
      '-map', '0', '-map', '1', '-map', '2', ...x264, '-c:a', 'aac', '-ac:a:1', '1',
      '-metadata:s:a:1', 'language=ger',
    ]); // prettier-ignore
    // Audio that starts 0.5 s after the video, and mov_text subtitles, in MP4.
    clips.late = await makeClip(media, 'late.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=3',
      '-itsoffset', '0.5', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:d=2.5',
      '-i', srt,
      '-map', '0', '-map', '1', '-map', '2', ...x264, '-c:a', 'aac', '-c:s', 'mov_text',
      '-metadata:s:s:0', 'language=eng',
    ]); // prettier-ignore
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function ladder(job: string, clip: string): Promise<void> {
    const outcome = await transcodeRenditions(
      {
        jobId: job,
        source: source(clip),
        outputPrefix: `videos/output/${job}/`,
        strategy: 'ladder',
      },
      { settings, storage, workRoot },
    );
    if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome.failure));
  }

  async function finalize(job: string, clip: string): Promise<HLS.types.MasterPlaylist> {
    const outcome = await finalizeOutputs(
      { jobId: job, source: source(clip), outputPrefix: `videos/output/${job}/` },
      { settings, storage, workRoot },
    );
    if (outcome.status !== 'succeeded') throw new Error(JSON.stringify(outcome.failure));
    const master = HLS.parse(await readFile(file(job, 'master.m3u8'), 'utf8'));
    if (!(master instanceof HLS.types.MasterPlaylist)) throw new Error('not a master playlist');
    return master;
  }

  async function tracksOf(job: string): Promise<TracksManifest> {
    return TracksManifest.parse(
      JSON.parse(await readFile(file(job, 'tracks/tracks.json'), 'utf8')),
    );
  }

  /** An fMP4 audio rendition as one file: its init segment then every media segment. */
  async function joinRendition(job: string, playlistKey: string): Promise<string> {
    const playlist = HLS.parse(await readFile(file(job, playlistKey), 'utf8'));
    if (!(playlist instanceof HLS.types.MediaPlaylist)) throw new Error('not a media playlist');
    const base = path.dirname(file(job, playlistKey));
    const init = playlist.segments[0]?.map?.uri;
    const parts = [init, ...playlist.segments.map((s) => s.uri)].filter((uri): uri is string =>
      Boolean(uri),
    );
    const joined = path.join(dir, `${job}-${playlistKey.replaceAll('/', '_')}.mp4`);
    await writeFile(
      joined,
      Buffer.concat(await Promise.all(parts.map((p) => readFile(path.join(base, p))))),
    );
    return joined;
  }

  /** Cue text exactly, and timing within one 25 fps frame. */
  function expectCues(vtt: string, expected: Array<[number, number, string]>): void {
    const cues = parseCaptions(vtt);
    expect(cues.map((cue) => cue.text)).toEqual(expected.map(([, , text]) => text));
    cues.forEach((cue, i) => {
      const [start, end] = expected[i] ?? [0, 0];
      expect(Math.abs(cue.startMs - start)).toBeLessThanOrEqual(40);
      expect(Math.abs(cue.endMs - end)).toBeLessThanOrEqual(40);
    });
  }

  it('makes the default-disposition track the main mix and keeps the commentary as an alternate (ladder)', async () => {
    await ladder('t1', 'commentary');
    const master = await finalize('t1', 'commentary');
    const audio = master.variants[0]?.audio ?? [];
    expect(audio.map((a) => [a.name, a.language, a.isDefault, a.autoselect, a.groupId])).toEqual([
      ['Director’s commentary', 'en', false, true, 'audio'],
      ['Main', 'en', true, true, 'audio'],
    ]);
    for (const variant of master.variants) {
      expect(variant.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(variant.audio.length).toBe(2);
    }
    // Which tone each rendition carries, from the decoded PCM.
    const frequencies: Record<string, number> = {};
    for (const rendition of audio)
      frequencies[rendition.name] = toneFrequency(
        await decodePcm(await joinRendition('t1', rendition.uri ?? '')),
      );
    expect(frequencies.Main).toBeGreaterThan(980);
    expect(frequencies.Main).toBeLessThan(1020);
    expect(frequencies['Director’s commentary']).toBeGreaterThan(430);
    expect(frequencies['Director’s commentary']).toBeLessThan(450);
    // The progressive download carries the main mix, stream-copied beside the video.
    const mp4 = file('t1', '240p/240p.mp4');
    const { streams } = await probeFile(mp4);
    expect(streams.map((s) => s.codec_type)).toEqual(['video', 'audio']);
    expect(toneFrequency(await decodePcm(mp4))).toBeGreaterThan(980);

    // SubRip, ASS and WebVTT each became a segmented WebVTT rendition with its cues and timing.
    const subtitles = master.variants[0]?.subtitles ?? [];
    expect(subtitles.map((s) => [s.type, s.language, s.name, s.groupId])).toEqual([
      ['SUBTITLES', 'fr', 'French', 'subs'],
      ['SUBTITLES', 'es', 'Spanish', 'subs'],
      ['SUBTITLES', 'de', 'German', 'subs'],
    ]);
    const tracks = await tracksOf('t1');
    expect(tracks.subtitles.map((t) => [t.sourceCodec, t.cueCount])).toEqual([
      ['subrip', 2],
      ['ass', 2],
      ['webvtt', 2],
    ]);
    for (const rendition of subtitles.slice(1)) {
      const vtt = await readFile(
        path.join(path.dirname(file('t1', rendition.uri ?? '')), 'segment-00000.vtt'),
        'utf8',
      );
      expectCues(vtt, [
        [500, 1500, 'Hello <i>world</i>'],
        [2000, 2800, 'Second line'],
      ]);
    }
    const subtitlePlaylist = HLS.parse(await readFile(file('t1', subtitles[0]?.uri ?? ''), 'utf8'));
    if (!(subtitlePlaylist instanceof HLS.types.MediaPlaylist)) throw new Error('media playlist');
    expect(subtitlePlaylist.endlist).toBe(true);
    const segment = await readFile(
      path.join(
        path.dirname(file('t1', subtitles[0]?.uri ?? '')),
        subtitlePlaylist.segments[0]?.uri ?? '',
      ),
      'utf8',
    );
    expect(segment).toMatch(/^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00\.000\n/);
    // Matroska stores this clip's cues 21 ms late (its video starts at 21 ms): within a frame.
    expectCues(segment, [
      [500, 1500, 'Hello <i>world</i>'],
      [2000, 2800, 'Second line'],
    ]);
  }, 120_000);

  it('downmixes 5.1 to stereo and keeps mono as mono (per rendition: a tracks workload beside the rendition)', async () => {
    const outcome = await transcodeTracks(
      { jobId: 't2', source: source('channels'), outputPrefix: 'videos/output/t2/' },
      { settings, storage, workRoot },
    );
    expect(outcome.status).toBe('succeeded');
    const rendition = await transcodeRenditions(
      {
        jobId: 't2',
        source: source('channels'),
        outputPrefix: 'videos/output/t2/',
        strategy: 'perRendition',
      },
      { settings, storage, workRoot },
    );
    expect(rendition.status).toBe('succeeded');
    const tracks = await tracksOf('t2');
    expect(
      tracks.audio.map((a) => [a.id, a.sourceChannels, a.channels, a.downmix, a.default, a.name]),
    ).toEqual([
      ['a0', 6, 2, 'downmixed', true, 'Track 1'],
      ['a1', 1, 1, 'none', false, 'German'],
    ]);
    for (const [id, channels, layout] of [
      ['a0', 2, 'stereo'],
      ['a1', 1, 'mono'],
    ] as const) {
      const { stdout } = await run('ffprobe', [
        '-v', 'error', '-show_entries', 'stream=channels,channel_layout', '-of', 'json',
        file('t2', `tracks/${id}/init.mp4`),
      ]); // prettier-ignore
      const probed = JSON.parse(stdout) as { streams: unknown[] };
      expect(probed.streams[0]).toMatchObject({ channels, channel_layout: layout });
    }
    const master = await finalize('t2', 'channels');
    expect(master.variants[0]?.audio.map((a) => [a.channels, a.isDefault])).toEqual([
      ['2', true],
      ['1', false],
    ]);
    const { streams } = await probeFile(file('t2', '240p/240p.mp4'));
    expect(streams.map((s) => [s.codec_type, s.channels])).toEqual([
      ['video', undefined],
      ['audio', 2],
    ]);
  }, 120_000);

  it('keeps a late-starting audio track in sync and converts mov_text', async () => {
    await ladder('t3', 'late');
    const master = await finalize('t3', 'late');
    const audioUri = master.variants[0]?.audio[0]?.uri ?? '';
    const startOf = async (media: string, stream: 'a' | 'v') => {
      const { stdout } = await run('ffprobe', [
        '-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'packet=pts_time',
        '-read_intervals', '%+#1', '-of', 'csv=p=0', media,
      ]); // prettier-ignore
      return Number(stdout.trim().split('\n')[0]);
    };
    const audioStart = await startOf(await joinRendition('t3', audioUri), 'a');
    const videoStart = await startOf(await joinRendition('t3', '240p/index.m3u8'), 'v');
    expect(Math.abs(audioStart - videoStart)).toBeLessThanOrEqual(AAC_FRAME_SECONDS);
    // The first 0.5 s is the padding: silence, then the tone.
    const pcm = await decodePcm(await joinRendition('t3', audioUri));
    const peak = (from: number, to: number) =>
      Math.max(...Array.from(pcm.subarray(from * 48, to * 48), (v) => Math.abs(v)));
    expect(peak(0, 400)).toBeLessThan(200);
    expect(peak(600, 1000)).toBeGreaterThan(2000);

    const subtitles = master.variants[0]?.subtitles ?? [];
    expect(subtitles.map((s) => [s.language, s.name])).toEqual([['en', 'English']]);
    const vtt = await readFile(
      path.join(path.dirname(file('t3', subtitles[0]?.uri ?? '')), 'segment-00000.vtt'),
      'utf8',
    );
    expectCues(vtt, [
      [500, 1500, 'Hello <i>world</i>'],
      [2000, 2800, 'Second line'],
    ]);
    const tracks = await tracksOf('t3');
    expect(tracks.subtitles.map((s) => [s.sourceCodec, s.cueCount])).toEqual([['mov_text', 2]]);
  }, 120_000);
});
