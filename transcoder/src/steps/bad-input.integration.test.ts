import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import type { LocalStorage } from '@videoforge/platform/storage';
import {
  listKeys,
  makeClip,
  serveDirectory,
  stereoTone,
  tempStorage,
  testSettings,
} from '../testing/integration.fixtures.ts';
import { probeSource } from '../source/source-probe.ts';
import type { SourceInput } from '@videoforge/platform/media';
import { resolveSource } from '../source/source-policy.ts';
import { transcodeJob } from './transcode.service.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

describeWith(['ffmpeg'], 'bad inputs are refused and leave nothing behind', () => {
  let dir: string;
  let storage: LocalStorage;
  let server: Awaited<ReturnType<typeof serveDirectory>>;
  const clips: Record<string, string> = {};
  const fileSource = (file: string): SourceInput => ({
    kind: 'file',
    path: file,
    protocols: ['file'],
  });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-bad-'));
    storage = tempStorage(path.join(dir, 'storage'));
    const media = path.join(dir, 'media');
    await import('node:fs/promises').then((fs) => fs.mkdir(media));

    clips.text = path.join(media, 'notes.mp4');
    await writeFile(clips.text, 'This is a text file with an .mp4 name.\n'.repeat(50));

    // moov at the end (no faststart): cutting the file loses the index.
    const whole = await makeClip(media, 'whole.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=6', ...stereoTone(6),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-shortest',
    ]); // prettier-ignore
    clips.truncatedIndex = path.join(media, 'cut-index.mp4');
    await copyFile(whole, clips.truncatedIndex);
    await truncate(clips.truncatedIndex, Math.floor((await stat(whole)).size / 2));
    // faststart: the index survives the cut, the media data does not.
    const faststart = await makeClip(media, 'faststart.mp4', [
      '-i',
      whole,
      '-c',
      'copy',
      '-movflags',
      '+faststart',
    ]);
    clips.truncatedData = path.join(media, 'cut-data.mp4');
    await copyFile(faststart, clips.truncatedData);
    await truncate(clips.truncatedData, Math.floor((await stat(faststart)).size / 2));

    clips.zero = await makeClip(media, 'zero.mp4', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x240:r=25',
      '-frames:v',
      '0',
    ]);
    const jpeg = await makeClip(media, 'photo.jpg', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x480',
      '-frames:v',
      '1',
    ]);
    clips.image = path.join(media, 'photo.mp4');
    await copyFile(jpeg, clips.image);
    clips.png = await makeClip(media, 'drawing.png', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=64x64',
      '-frames:v',
      '1',
    ]);
    clips.huge = await makeClip(media, 'huge.mp4', [
      '-f',
      'lavfi',
      '-i',
      'color=s=8200x16:r=25:d=1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
    ]);
    // A real hour-long 4K file, cheap to make: one still frame every two minutes.
    clips.longUhd = await makeClip(media, 'long-4k.mp4', [
      '-f', 'lavfi', '-i', 'color=c=gray:s=3840x2160:r=1/120:d=3720', '-c:v', 'libx264', '-preset', 'ultrafast',
    ]); // prettier-ignore

    // Playlists and concat lists that would read local files if a demuxer followed them.
    await writeFile(
      path.join(media, 'evil.m3u8'),
      '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
    );
    await writeFile(path.join(media, 'evil.ffconcat'), 'ffconcat version 1.0\nfile /etc/passwd\n');
    server = await serveDirectory(media);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function expectRefused(source: SourceInput, code: string, settings = testSettings()) {
    const outcome = await transcodeJob(
      { jobId: 'bad', source, outputPrefix: 'videos/output/bad/', strategy: 'perRendition' },
      { settings, storage, workRoot: dir },
    );
    expect(outcome).toMatchObject({ status: 'failed', failure: { kind: 'bad-input', code } });
    expect(await listKeys(storage, 'videos/')).toEqual([]);
    return outcome.status === 'failed' ? outcome.failure.message : '';
  }

  it('refuses text renamed .mp4', async () => {
    expect(await expectRefused(fileSource(clips.text ?? ''), 'unreadable')).toMatch(
      /not a video at all/,
    );
  });

  it('refuses an MP4 cut before its index', async () => {
    expect(await expectRefused(fileSource(clips.truncatedIndex ?? ''), 'unreadable')).toMatch(
      /index \(moov atom\) is missing, so the file is truncated/,
    );
  });

  it('refuses a faststart MP4 whose media data is cut short', async () => {
    expect(await expectRefused(fileSource(clips.truncatedData ?? ''), 'truncated')).toMatch(
      /truncated/,
    );
  });

  it('refuses a file with zero duration', async () => {
    await expectRefused(fileSource(clips.zero ?? ''), 'zero-duration');
  });

  it('refuses still images, whatever their name', async () => {
    expect(await expectRefused(fileSource(clips.image ?? ''), 'still-image')).toMatch(
      /still image \(jpeg\)/,
    );
    expect(await expectRefused(fileSource(clips.png ?? ''), 'still-image')).toMatch(
      /still image \(png\)/,
    );
  });

  it('refuses dimensions above 8192', async () => {
    expect(await expectRefused(fileSource(clips.huge ?? ''), 'dimensions-too-large')).toMatch(
      /8200×16/,
    );
  });

  it('refuses more than an hour of 4K unless configured', async () => {
    expect(await expectRefused(fileSource(clips.longUhd ?? ''), 'uhd-too-long')).toMatch(
      /1 h 2 min/,
    );
    const settings = testSettings();
    const allowed = await probeSource(fileSource(clips.longUhd ?? ''), {
      ffprobePath: 'ffprobe',
      timeoutMs: 30_000,
      limits: { ...settings.probeLimits, maxUhdDurationSeconds: 7200 },
    });
    expect(allowed).toMatchObject({
      ok: true,
      metadata: { durationSeconds: 3720, video: { displayWidth: 3840 } },
    });
  });

  it('refuses an HLS playlist or concat list served over HTTP before it opens anything', async () => {
    const policy = { allowLoopbackHttp: true, localRoots: [] };
    for (const name of ['evil.m3u8', 'evil.ffconcat']) {
      const decision = resolveSource(`${server.baseUrl}/${name}`, policy);
      if (!decision.ok) throw new Error(decision.reason);
      expect(await expectRefused(decision.source, 'format-not-allowed')).toMatch(
        /format is not accepted/,
      );
    }
  });

  it('probes a good source over loopback HTTP without reading all of it', async () => {
    const decision = resolveSource(`${server.baseUrl}/whole.mp4`, {
      allowLoopbackHttp: true,
      localRoots: [],
    });
    if (!decision.ok) throw new Error(decision.reason);
    const result = await probeSource(decision.source, {
      ffprobePath: 'ffprobe',
      timeoutMs: 30_000,
      limits: testSettings().probeLimits,
    });
    expect(result).toMatchObject({
      ok: true,
      metadata: { durationSeconds: 6, video: { displayWidth: 320 } },
    });
  });

  describe('the CLI', () => {
    const cli = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [MAIN, ...args],
          {
            env: {
              PATH: process.env.PATH ?? '',
              LOCAL_STORAGE_DIR: path.join(dir, 'cli-storage'),
              LOG_LEVEL: 'warn',
              ...env,
            },
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const args = ['--rendition', '360p', '--output-prefix', 'videos/output/7/', '--job-id', '7'];

    it('exits 2 with a failed event for bad input', async () => {
      const result = await cli(['--source', clips.text ?? '', ...args], {
        TRANSCODE_SOURCE_DIRS: dir,
      });
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
        event: 'failed',
        kind: 'bad-input',
        job: '7',
      });
    });

    it('exits 2 for a file outside the allowed directories and for bad arguments', async () => {
      expect(
        (await cli(['--source', clips.text ?? '', ...args], { TRANSCODE_SOURCE_DIRS: '/srv/none' }))
          .code,
      ).toBe(2);
      const bad = await cli(
        ['--source', clips.text ?? '', '--rendition', '360p', '--job-id', '7'],
        {},
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--output-prefix is required/);
    });

    it('exits 1 when the source server is unreachable', async () => {
      const result = await cli(['--source', 'http://127.0.0.1:9/missing.mp4', ...args], {
        TRANSCODE_ALLOW_LOOPBACK_HTTP: 'true',
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/"kind":"transient"/);
    });

    it('has left nothing in its storage', async () => {
      const cliStorage = tempStorage(path.join(dir, 'cli-storage'));
      expect(await listKeys(cliStorage, 'videos/')).toEqual([]);
      expect(await readFile(clips.text ?? '', 'utf8')).toMatch(/text file/);
    });
  });
});
