import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Job, TokenResponse, UploadState } from '@videoforge/contracts';
import { createHash } from 'node:crypto';
import type { StoragePort } from '@videoforge/platform/storage';
import { startAllInOne, type RunningAllInOne } from '../../test/support/all-in-one.ts';
import { createTestBucket, testCredentialsEnv, testS3Storage } from '../../test/support/aws.ts';
import { call, tmpdir } from '../../test/support/api-app.ts';
import { describeUnlessMissing, describeWith } from '../../test/support/components.ts';
import { startHttpProxy, type TestProxy } from '../../test/support/http-proxy.ts';
import { makePaddedClip, sha256File } from '../../test/support/padded-video.ts';
import { waitUntil } from '../../test/support/process.ts';
import { readState } from './upload-state.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const MiB = 1024 * 1024;

interface CliRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function runCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => text, exited };
}

/** Part numbers sent to storage per multipart upload, from the proxy's record. */
function partPuts(proxy: TestProxy, from: number): Map<string, number[]> {
  const puts = new Map<string, number[]>();
  for (const { method, url } of proxy.seen.slice(from)) {
    if (method !== 'PUT') continue;
    const parsed = new URL(url, 'http://x');
    const uploadDir = parsed.pathname.split('/').at(-2) ?? '';
    const part = Number(parsed.searchParams.get('partNumber'));
    if (part) puts.set(uploadDir, [...(puts.get(uploadDir) ?? []), part]);
  }
  return puts;
}

for (const kind of ['local', 's3'] as const)
  describeWith(
    kind === 's3' ? ['postgres', 'ffmpeg', 's3'] : ['postgres', 'ffmpeg'],
    `videoforge upload (the CLI) against npm start on ${kind} storage`,
    () => {
      let proxy: TestProxy;
      let s3: StoragePort | undefined;
      let app: RunningAllInOne;
      let dir: string;
      let token: string;
      let env: Record<string, string>;

      beforeAll(async () => {
        proxy = await startHttpProxy();
        // Every URL the API signs points at the proxy, so the test sees (and slows) each
        // part: on local storage the proxy fronts the API, on S3 it fronts moto.
        let storageEnv: Record<string, string> = { PUBLIC_BASE_URL: proxy.url };
        if (kind === 's3') {
          const endpoint = inject('awsEndpoint');
          const bucket = await createTestBucket(endpoint);
          proxy.setTarget(endpoint);
          s3 = testS3Storage(endpoint, bucket);
          storageEnv = {
            STORAGE_DRIVER: 's3',
            S3_BUCKET_NAME: bucket,
            S3_ENDPOINT: proxy.url,
            S3_FORCE_PATH_STYLE: 'true',
            ...testCredentialsEnv,
          };
        }
        app = await startAllInOne({
          postgresUrl: inject('postgresUrl'),
          env: { ...storageEnv, MULTIPART_PART_BYTES: String(5 * MiB) },
        });
        if (kind === 'local') proxy.setTarget(app.baseUrl);
        const api = kind === 'local' ? proxy.url : app.baseUrl;
        dir = await mkdtemp(path.join(tmpdir(), 'vf-cli-'));
        const registered = await call(api, 'POST', '/api/auth/register', {
          body: { username: 'dora', email: 'dora@example.com', password: 'Sup3r!secret' },
        });
        expect(registered.status).toBe(201);
        token = (registered.body as TokenResponse).accessToken;
        env = { VIDEOFORGE_URL: api, VIDEOFORGE_TOKEN: token, VIDEOFORGE_PLAIN: '1' };
      });
      afterAll(async () => {
        await app?.stop();
        await proxy?.close();
        (s3 as { client?: { destroy(): void } } | undefined)?.client?.destroy();
        if (dir) await rm(dir, { recursive: true, force: true });
      });

      async function storedSha256(key: string): Promise<string> {
        if (!s3) return (await sha256File(path.join(app.storageDir, 'objects', key))).sha256;
        const hash = createHash('sha256');
        for await (const chunk of await s3.get(key)) hash.update(chunk as Buffer);
        return hash.digest('hex');
      }

      it('uploads two files, is SIGKILLed midway, resumes sending only the missing parts, and waits for the jobs', async () => {
        const files = await Promise.all(
          ['first', 'second'].map(async (name) =>
            makePaddedClip(dir, 30 * MiB + 4321, { name: `${name}.mp4`, size: '640x360' }),
          ),
        );
        proxy.throttle(6 * MiB);
        const first = runCli(['upload', ...files.map((f) => f.file), '--concurrency', '2'], env);
        // Wait until storage holds a part of each upload, then kill the CLI outright.
        const stateOf = async (file: string) => {
          const state = await readState(file);
          if (!state) return undefined;
          return (
            await call(env.VIDEOFORGE_URL ?? '', 'GET', `/api/uploads/${state.uploadId}`, { token })
          ).body as UploadState;
        };
        await waitUntil(
          async () => {
            const states = await Promise.all(files.map((f) => stateOf(f.file)));
            return states.every((s) => (s?.parts.length ?? 0) >= 1);
          },
          { timeoutMs: 30_000, describe: () => first.output() },
        );
        first.child.kill('SIGKILL');
        expect(await first.exited).toBeNull();
        proxy.throttle(undefined);
        await sleep(300); // a part whose connection just died is not stored
        const before = await Promise.all(files.map((f) => stateOf(f.file)));
        for (const state of before) {
          expect(state?.parts.length).toBeGreaterThanOrEqual(1);
          expect(state?.parts.length).toBeLessThan(state?.partCount ?? 0);
        }

        const mark = proxy.seen.length;
        const second = runCli(['upload', ...files.map((f) => f.file), '--wait'], env);
        const code = await second.exited;
        const output = second.output();
        expect(code, output).toBe(0);
        expect(output).toContain('resuming');

        // After the rerun, each upload received exactly the parts storage lacked.
        const sent = partPuts(proxy, mark);
        for (const state of before) {
          const stored = new Set(state?.parts.map((p) => p.partNumber));
          const missing = Array.from({ length: state?.partCount ?? 0 }, (_, i) => i + 1).filter(
            (n) => !stored.has(n),
          );
          const dirName = state?.key.split('/').at(-2) ?? '';
          console.log(
            `cli resume: ${state?.parts.length} of ${state?.partCount} parts stored at the SIGKILL; ${sent.get(dirName)?.length ?? 0} sent by the rerun`,
          );
          expect([...(sent.get(dirName) ?? [])].sort((a, b) => a - b)).toEqual(missing);
        }

        // Both jobs succeeded; stdout names each watch URL; the stored sources are the files.
        const ready = output.split('\n').filter((line) => line.includes('\tready\t'));
        expect(ready).toHaveLength(2);
        for (const [index, file] of files.entries()) {
          const line = ready.find((l) => l.startsWith(file.file));
          const videoId = /\/videos\/(\d+)$/.exec(line ?? '')?.[1];
          expect(videoId, output).toBeDefined();
          const jobs = (
            await call(env.VIDEOFORGE_URL ?? '', 'GET', `/api/jobs?videoId=${videoId}`, { token })
          ).body as { items: Job[] };
          expect(jobs.items[0]?.status).toBe('succeeded');
          const key = before[index]?.key ?? '';
          expect(await storedSha256(key)).toBe(file.sha256);
          expect(await readState(file.file)).toBeUndefined();
        }
      }, 180_000);

      // Once is enough: the refusal comes from the probe, whatever the storage.
      if (kind === 'local')
        it('exits 2 for a refused file and still uploads the others', async () => {
          const text = path.join(dir, 'notes.mp4');
          await import('node:fs/promises').then((fs) =>
            fs.writeFile(text, 'not a video\n'.repeat(100)),
          );
          const video = await makePaddedClip(dir, 6 * MiB, { name: 'third.mp4' });
          const run = runCli(['upload', text, video.file], env);
          const code = await run.exited;
          expect(code, run.output()).toBe(2);
          expect(run.output()).toMatch(/notes\.mp4: refused \(not_a_video\)/);
          expect(run.output()).toMatch(/third\.mp4\tvideo \d+\tjob \d+/);
          // Nothing the server can take (no API there): transient, exit 1.
          const offline = runCli(['upload', video.file], {
            ...env,
            VIDEOFORGE_URL: 'http://127.0.0.1:9',
          });
          expect(await offline.exited).toBe(1);
        }, 60_000);

      const tmux = spawnSync('tmux', ['-V']).status === 0;
      if (kind === 'local')
        describeUnlessMissing(
          tmux ? [] : ['tmux: apt-get install tmux (scripts/ci/install-system.sh)'],
          'on a terminal (tmux)',
          () => {
            it('draws one readable progress line per file and rendition, redrawn in place', async () => {
              const clip = await makePaddedClip(dir, 12 * MiB, {
                name: 'on-a-terminal.mp4',
                size: '640x360',
              });
              const session = `vf-cli-${process.pid}`;
              proxy.throttle(4 * MiB);
              const command = [
                `VIDEOFORGE_URL=${proxy.url}`,
                `VIDEOFORGE_TOKEN=${token}`,
                `PATH=${process.env.PATH ?? ''}`,
                process.execPath,
                MAIN,
                'upload',
                clip.file,
                '--wait',
                '; echo CLI-EXIT=$?; sleep 60',
              ].join(' ');
              spawnSync('tmux', [
                'new-session',
                '-d',
                '-s',
                session,
                '-x',
                '140',
                '-y',
                '30',
                'sh',
                '-c',
                command,
              ]);
              const screen = () =>
                spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' })
                  .stdout;
              try {
                let midway = '';
                await waitUntil(
                  async () => {
                    const now = screen();
                    if (/on-a-terminal\.mp4\s+█+░+ [1-9]\d?%/.test(now) && !midway) midway = now;
                    return now.includes('CLI-EXIT=');
                  },
                  { timeoutMs: 90_000, describe: screen },
                );
                const final = screen();
                console.log(`tmux, midway:\n${midway}\ntmux, at the end:\n${final}`);
                expect(final).toContain('CLI-EXIT=0');
                // The upload's bar was redrawn in place: one line for it, not one per update.
                const lines = final.split('\n');
                const uploadLines = lines.filter((l) => /^on-a-terminal\.mp4 {2,}/.test(l));
                expect(uploadLines).toHaveLength(1);
                expect(uploadLines[0]).toMatch(/100%.*uploaded: video \d+, job \d+/);
                const transcodeLines = lines.filter((l) =>
                  l.startsWith('on-a-terminal.mp4 transcode'),
                );
                expect(transcodeLines).toHaveLength(1);
                expect(transcodeLines[0]).toMatch(/100%\s+succeeded/);
                // Renditions the controller reported while the job ran, each on its own line.
                for (const line of lines.filter((l) => /^ {2}on-a-terminal\.mp4 \d+p/.test(l)))
                  expect(line).toMatch(/100%\s+succeeded/);
                expect(final).toMatch(
                  /ready\thttp:\/\/127\.0\.0\.1:\d+\/videos\/\d+|ready\s+http:\/\/127\.0\.0\.1:\d+\/videos\/\d+/,
                );
                expect(midway).toMatch(
                  /\d+(\.\d)? MB of 12\.6 MB\s+\d+(\.\d)? [KM]B\/s\s+\S+ left/,
                );
                expect(final).not.toContain('\u001b[');
              } finally {
                proxy.throttle(undefined);
                spawnSync('tmux', ['kill-session', '-t', session]);
              }
            }, 120_000);
          },
          'program',
        );
    },
  );
