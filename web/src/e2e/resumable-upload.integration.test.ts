import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TokenResponse, UploadList, UploadState } from '@videoforge/contracts';
import { createHash } from 'node:crypto';
import { PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { startAllInOne, type RunningAllInOne } from '../../../test/support/all-in-one.ts';
import { createTestBucket, testCredentialsEnv, testS3Storage } from '../../../test/support/aws.ts';
import { call } from '../../../test/support/api-app.ts';
import {
  describeWithChromium,
  launchChromium,
  type LaunchedBrowser,
} from '../../../test/support/browser.ts';
import { startHttpProxy, type TestProxy } from '../../../test/support/http-proxy.ts';
import { makePaddedClip, sha256File } from '../../../test/support/padded-video.ts';
import { makeTestClip } from '../../../test/support/media.ts';
import { waitUntil } from '../../../test/support/process.ts';
import { buildWeb } from '../../../test/support/web-build.ts';

const webDir = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = path.resolve(webDir, '..');
const screenshots = path.join(repoRoot, 'test-results', 'screenshots');
const MiB = 1024 * 1024;
const PASSWORD = 'Sup3r!secret';

/** Part numbers PUT to storage per upload directory (the upload id), from the proxy's record. */
function partPuts(proxy: TestProxy, from: number): Map<string, number[]> {
  const puts = new Map<string, number[]>();
  for (const { method, url } of proxy.seen.slice(from)) {
    if (method !== 'PUT') continue;
    const parsed = new URL(url, 'http://x');
    const dir = parsed.pathname.split('/').at(-2) ?? '';
    const part = Number(parsed.searchParams.get('partNumber'));
    if (part) puts.set(dir, [...(puts.get(dir) ?? []), part]);
  }
  return puts;
}

for (const kind of ['local', 's3'] as const)
  describeWithChromium(
    kind === 's3' ? ['postgres', 'ffmpeg', 's3'] : ['postgres', 'ffmpeg'],
    `resumable and batch uploads in Chromium (Uppy) on ${kind} storage`,
    () => {
      let work: string;
      let proxy: TestProxy;
      let server: RunningAllInOne;
      let browser: LaunchedBrowser;
      let token: string;
      /** Where the page and the API are: the proxy on local storage; on S3 the proxy fronts moto. */
      let appUrl: string;
      let s3: ReturnType<typeof testS3Storage> | undefined;
      const contexts: BrowserContext[] = [];
      const username = `uppy-${Date.now().toString(36)}`;

      beforeAll(async () => {
        work = await mkdtemp(path.join(tmpdir(), 'vf-uppy-e2e-'));
        const dist = path.join(work, 'dist');
        proxy = await startHttpProxy();
        await buildWeb(dist);
        let storageEnv: Record<string, string> = { PUBLIC_BASE_URL: proxy.url };
        if (kind === 's3') {
          const endpoint = inject('awsEndpoint');
          const bucket = await createTestBucket(endpoint);
          proxy.setTarget(endpoint);
          s3 = testS3Storage(endpoint, bucket);
          // The page PUTs parts straight to the bucket: CORS, and the ETag exposed.
          await s3.client.send(
            new PutBucketCorsCommand({
              Bucket: bucket,
              CORSConfiguration: {
                CORSRules: [
                  {
                    AllowedOrigins: ['*'],
                    AllowedMethods: ['GET', 'PUT', 'HEAD'],
                    AllowedHeaders: ['*'],
                    ExposeHeaders: ['ETag'],
                  },
                ],
              },
            }),
          );
          storageEnv = {
            STORAGE_DRIVER: 's3',
            S3_BUCKET_NAME: bucket,
            S3_ENDPOINT: proxy.url,
            S3_FORCE_PATH_STYLE: 'true',
            ...testCredentialsEnv,
          };
        }
        // Every signed storage URL goes through the proxy (and, on local storage, the page
        // and the API too), so the test counts each part and can cut the network.
        server = await startAllInOne({
          postgresUrl: inject('postgresUrl'),
          webDistDir: dist,
          env: { ...storageEnv, QUOTA_ACTIVE_JOBS: '50' },
        });
        if (kind === 'local') proxy.setTarget(server.baseUrl);
        appUrl = kind === 'local' ? proxy.url : server.baseUrl;
        browser = await launchChromium();
        const registered = await call(appUrl, 'POST', '/api/auth/register', {
          body: { username, email: `${username}@example.com`, password: PASSWORD },
        });
        expect(registered.status).toBe(201);
        token = (registered.body as TokenResponse).accessToken;
      }, 300_000);

      afterAll(async () => {
        for (const context of contexts) await context.close().catch(() => undefined);
        await browser?.close();
        await server?.stop();
        await proxy?.close();
        s3?.client.destroy();
        if (work) await rm(work, { recursive: true, force: true });
      });

      async function signedInPage(): Promise<Page> {
        const context = await browser.newContext();
        contexts.push(context);
        const page = await context.newPage();
        page.setDefaultTimeout(30_000);
        await page.goto(`${appUrl}/login`);
        await page.getByLabel(/username/i).fill(username);
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: /sign in/i }).click();
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        await page.goto(`${appUrl}/upload`);
        await page.getByRole('heading', { name: 'Upload videos' }).waitFor();
        return page;
      }

      async function storedSha256(key: string): Promise<string> {
        if (!s3) return (await sha256File(path.join(server.storageDir, 'objects', key))).sha256;
        const hash = createHash('sha256');
        for await (const chunk of await s3.get(key)) hash.update(chunk as Buffer);
        return hash.digest('hex');
      }

      const unfinished = async () =>
        ((await call(appUrl, 'GET', '/api/uploads', { token })).body as UploadList).items;
      const stateOf = async (uploadId: string) =>
        (await call(appUrl, 'GET', `/api/uploads/${uploadId}`, { token })).body as UploadState;
      const startUpload = async (page: Page, file: string) => {
        await page.locator('#upload-files').setInputFiles(file);
        await page.getByRole('button', { name: 'Upload 1 file' }).click();
      };
      const waitForStoredParts = async (name: string, atLeast: number) => {
        let state: UploadState | undefined;
        await waitUntil(
          async () => {
            const upload = (await unfinished()).find((u) => u.filename === name);
            state = upload && (await stateOf(upload.uploadId));
            return (state?.parts.length ?? 0) >= atLeast;
          },
          { timeoutMs: 120_000, describe: () => JSON.stringify(state) },
        );
        return state as UploadState;
      };
      const missingOf = (state: Pick<UploadState, 'parts' | 'partCount'>) => {
        const stored = new Set(state.parts.map((p) => p.partNumber));
        return Array.from({ length: state.partCount }, (_, i) => i + 1).filter(
          (n) => !stored.has(n),
        );
      };

      it('a 300 MB upload survives a reload: resumed from the server state, only the missing parts sent, the stored object is the file', async () => {
        const file = await makePaddedClip(work, 300 * MiB, {
          name: 'reload-300mb.mp4',
          size: '640x360',
        });
        const page = await signedInPage();
        proxy.throttle(25 * MiB);
        try {
          await startUpload(page, file.file);
          await waitForStoredParts('reload-300mb.mp4', 4);
          await page.reload();
        } finally {
          proxy.throttle(undefined);
        }
        await sleep(500); // parts whose connections the reload cut are not stored
        const before = (await unfinished()).find((u) => u.filename === 'reload-300mb.mp4');
        expect(before).toBeDefined();
        const state = await stateOf(before?.uploadId ?? '');
        expect(state.parts.length).toBeGreaterThan(0);
        expect(state.parts.length).toBeLessThan(state.partCount);

        // After the reload the page offers the unfinished upload; choosing the file resumes it.
        await page
          .getByTestId('resumable-upload')
          .filter({ hasText: 'reload-300mb.mp4' })
          .waitFor();
        await page.screenshot({
          path: path.join(screenshots, 'uppy-01-resume-offered.png'),
          fullPage: true,
        });
        const mark = proxy.seen.length;
        await page.locator('#upload-files').setInputFiles(file.file);
        await page.getByRole('button', { name: 'Resume uploads' }).click();
        await page
          .getByTestId('file-done')
          .waitFor({ timeout: 180_000 })
          .catch(async (error: unknown) => {
            await page.screenshot({
              path: path.join(screenshots, 'uppy-02-failed.png'),
              fullPage: true,
            });
            throw new Error(`not done; server output:\n${server.output().slice(-3000)}`, {
              cause: error,
            });
          });
        await page.screenshot({
          path: path.join(screenshots, 'uppy-02-resumed-done.png'),
          fullPage: true,
        });

        const sent = partPuts(proxy, mark).get(state.key.split('/').at(-2) ?? '') ?? [];
        console.log(
          `reload: ${state.parts.length} of ${state.partCount} parts stored before the reload; ${sent.length} sent after it`,
        );
        expect([...sent].sort((a, b) => a - b)).toEqual(missingOf(state));
        expect(await storedSha256(state.key)).toBe(file.sha256);
      }, 300_000);

      it('a 300 MB upload survives a network drop: Uppy retries with backoff, no part acknowledged before the drop is sent again', async () => {
        const file = await makePaddedClip(work, 300 * MiB, {
          name: 'drop-300mb.mp4',
          size: '640x360',
        });
        const page = await signedInPage();
        proxy.throttle(25 * MiB);
        await startUpload(page, file.file);
        await waitForStoredParts('drop-300mb.mp4', 4);
        // The network goes: every connection cut, new ones refused for four seconds.
        proxy.setDown(true);
        proxy.drop();
        let state: Pick<UploadState, 'key' | 'parts' | 'partCount'>;
        let mark: number;
        try {
          await sleep(300);
          if (!s3) {
            // Asked of the API directly: the proxy is the browser's network, and it is down.
            const upload = (
              (await call(server.baseUrl, 'GET', '/api/uploads', { token })).body as UploadList
            ).items.find((u) => u.filename === 'drop-300mb.mp4');
            state = (
              await call(server.baseUrl, 'GET', `/api/uploads/${upload?.uploadId ?? ''}`, {
                token,
              })
            ).body as UploadState;
          } else {
            // On S3 the proxy also stands between the API and moto: ask moto directly.
            const [row] = await server.db.sql<
              {
                storage_key: string;
                multipart_id: string;
                declared_size: string;
                part_size: string;
              }[]
            >`SELECT storage_key, multipart_id, declared_size, part_size FROM uploads
              WHERE original_filename = 'drop-300mb.mp4' AND status = 'pending'`;
            state = {
              key: row?.storage_key ?? '',
              parts:
                (await s3.listParts({
                  key: row?.storage_key ?? '',
                  uploadId: row?.multipart_id ?? '',
                })) ?? [],
              partCount: Math.ceil(Number(row?.declared_size) / Number(row?.part_size)),
            };
          }
          mark = proxy.seen.length;
          await sleep(4000);
        } finally {
          proxy.setDown(false);
          proxy.throttle(undefined);
        }
        await page.getByTestId('file-done').waitFor({ timeout: 180_000 });

        const sent = partPuts(proxy, mark).get(state.key.split('/').at(-2) ?? '') ?? [];
        // Parts whose 200 reached the page before the drop; a part stored while its answer
        // was cut is one the page cannot know about, and may rightly send again.
        const dir = state.key.split('/').at(-2) ?? '';
        const acknowledged = new Set(
          proxy.seen
            .slice(0, mark)
            .filter((r) => r.method === 'PUT' && r.delivered === 200 && r.url.includes(`/${dir}/`))
            .map((r) => Number(new URL(r.url, 'http://x').searchParams.get('partNumber'))),
        );
        console.log(
          `drop: ${state.parts.length} of ${state.partCount} parts stored at the drop; ${sent.length} PUTs after it (${new Set(sent).size} distinct parts)`,
        );
        expect(acknowledged.size).toBeGreaterThan(0);
        expect(sent.filter((n) => acknowledged.has(n))).toEqual([]);
        for (const n of missingOf(state)) expect(sent).toContain(n);
        expect(await storedSha256(state.key)).toBe(file.sha256);
      }, 300_000);

      it('pause in the browser stops the part PUTs; resume sends the rest and the stored object is the file', async () => {
        const name = 'pause-160mb.mp4';
        const file = await makePaddedClip(work, 160 * MiB, { name, size: '640x360' });
        const page = await signedInPage();
        proxy.throttle(10 * MiB);
        let atPause: UploadState;
        let mark: number;
        try {
          await startUpload(page, file.file);
          const running = await waitForStoredParts(name, 2);
          await page.getByRole('button', { name: `Pause ${name}` }).click();
          await page.getByTestId('file-progress-text').filter({ hasText: 'paused' }).waitFor();
          await sleep(1000); // a part in flight when paused is cut, not finished
          mark = proxy.seen.length;
          atPause = await stateOf(
            (await unfinished()).find((u) => u.filename === name)?.uploadId ?? '',
          );
          expect(atPause.key).toBe(running.key);
          expect(atPause.parts.length).toBeLessThan(atPause.partCount);
          // Paused: not one part PUT reaches storage, and storage holds what it held.
          await sleep(4000);
          const dir = atPause.key.split('/').at(-2) ?? '';
          expect(partPuts(proxy, mark).get(dir) ?? []).toEqual([]);
          expect((await stateOf(atPause.uploadId)).parts.length).toBe(atPause.parts.length);
          await page.screenshot({
            path: path.join(screenshots, `uppy-04-paused-${kind}.png`),
            fullPage: true,
          });
          await page.getByRole('button', { name: `Resume ${name}` }).click();
        } finally {
          proxy.throttle(undefined);
        }
        await page.getByTestId('file-done').waitFor({ timeout: 180_000 });
        const dir = atPause.key.split('/').at(-2) ?? '';
        const sent = partPuts(proxy, mark).get(dir) ?? [];
        const acknowledged = new Set(
          proxy.seen
            .slice(0, mark)
            .filter((r) => r.method === 'PUT' && r.delivered === 200 && r.url.includes(`/${dir}/`))
            .map((r) => Number(new URL(r.url, 'http://x').searchParams.get('partNumber'))),
        );
        console.log(
          `pause: ${atPause.parts.length} of ${atPause.partCount} parts stored at the pause; ${sent.length} PUTs after the resume`,
        );
        // Resumed: the missing parts are sent, none the page had seen stored.
        for (const n of missingOf(atPause)) expect(sent).toContain(n);
        expect(sent.filter((n) => acknowledged.has(n))).toEqual([]);
        expect(await storedSha256(atPause.key)).toBe(file.sha256);
      }, 300_000);

      it('ten files dropped at once, one a text file: nine jobs and one clear refusal, shown on that file', async () => {
        const clips = await Promise.all(
          Array.from({ length: 9 }, (_, i) =>
            makeTestClip(work, {
              size: '320x240',
              seconds: 1,
              audio: true,
              name: `batch-${i + 1}.mp4`,
            }),
          ),
        );
        const notes = path.join(work, 'notes.txt');
        await writeFile(notes, 'not a video\n'.repeat(100));
        const payload = await Promise.all(
          [...clips, notes].map(async (file) => ({
            name: path.basename(file),
            type: file.endsWith('.txt') ? 'text/plain' : 'video/mp4',
            b64: (await readFile(file)).toString('base64'),
          })),
        );
        const jobCount = async () =>
          (
            (await call(appUrl, 'GET', '/api/jobs?pageSize=1', { token })).body as {
              total: number;
            }
          ).total;
        const jobsBefore = await jobCount();
        const page = await signedInPage();
        // A real drop: a DataTransfer holding the ten files, built in the page.
        const dataTransfer = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      for (const f of ${JSON.stringify(payload)})
        transfer.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return transfer;
    })()`);
        await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer });
        await expect.poll(() => page.getByTestId('queue-item').count()).toBe(10);
        await page.getByRole('button', { name: 'Upload 10 files' }).click();
        await expect
          .poll(() => page.getByTestId('file-done').count(), { timeout: 120_000 })
          .toBe(9);
        const refused = page.locator(
          '[data-testid="queue-item"][data-file-name="notes.txt"] [data-testid="file-error"]',
        );
        await refused.waitFor();
        expect(await refused.textContent()).toMatch(/Refused: .*video/);
        await page.screenshot({
          path: path.join(screenshots, 'uppy-03-batch.png'),
          fullPage: true,
        });
        expect(await jobCount()).toBe(jobsBefore + 9);
      }, 200_000);
    },
  );
