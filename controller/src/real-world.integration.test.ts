import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  RenditionManifest,
  renditionsForSource,
  type TranscodeJobResource,
} from '@videoforge/contracts';
import { describeWith } from '../../test/support/components.ts';
import { createTestAws, type TestAws } from '../../test/support/aws.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { freePort } from '../../test/support/free-port.ts';
import {
  insertTestJob,
  insertTestUser,
  relayOutboxOnce,
  waitForJobToFinish,
} from '../../test/support/jobs.ts';
import {
  interlacedFrames,
  makeRealWorldClip,
  probeOutput,
  type RealWorldCase,
} from '../../test/support/real-world-media.ts';
import { operatorEnv, startTranscodeKubeSuite } from '../../test/support/transcode-cluster.ts';
import type { KubeSuite } from '../../test/kube/kube-test-utils.ts';

const controllerMain = fileURLToPath(new URL('./main.ts', import.meta.url));
const crd = { group: 'videoforge.io', version: 'v1alpha1', plural: 'transcodejobs' };

/**
 * HDR, interlaced and tiny sources through the operator: outbox → SQS (moto) →
 * TranscodeJob → batch/v1 Jobs running the real transcoder on the test control plane's
 * node, against S3 (moto). The large interlaced source asks for 360p only, to stay cheap.
 */
const CASES: Array<{ which: RealWorldCase; formats?: string[] }> = [
  { which: 'hdr10' },
  { which: 'interlaced-ts', formats: ['360p'] },
  { which: 'tiny-240' },
];

describeWith(
  ['kubernetes', 'postgres', 's3', 'sqs', 'ffmpeg'],
  'real-world media through the operator',
  () => {
    let suite: KubeSuite;
    let db: TestDatabase;
    let dir: string;
    let aws: TestAws;
    let userId: string;
    let operator: ChildProcess | undefined;
    let output = '';

    beforeAll(async () => {
      suite = await startTranscodeKubeSuite(inject('kubeconfig'), 'real-world', {
        TRANSCODE_PRESET: 'ultrafast',
      });
      db = await createTestDatabase(inject('postgresUrl'));
      dir = await mkdtemp(path.join(tmpdir(), 'vf-operator-real-world-'));
      aws = await createTestAws(inject('awsEndpoint'));
      userId = await insertTestUser(db.sql, 'lin');
      const port = await freePort();
      operator = spawn(process.execPath, [controllerMain], {
        env: {
          ...operatorEnv({
            kubeconfig: inject('kubeconfig'),
            namespace: suite.namespace,
            podName: 'operator-0',
            databaseUrl: db.url,
            metricsPort: port,
            aws,
          }),
          TRANSCODE_RESOURCES: JSON.stringify({ default: { requests: { cpu: '100m' } } }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      operator.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      operator.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    }, 120_000);
    afterAll(async () => {
      if (operator && operator.exitCode === null && operator.signalCode === null) {
        operator.kill('SIGTERM');
        await once(operator, 'exit');
      }
      await aws?.close();
      await suite?.cleanup();
      await db?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    for (const { which, formats } of CASES) {
      it(`${which}: Kubernetes Jobs make progressive BT.709 SDR renditions and say what they did`, async () => {
        const clip = await makeRealWorldClip(dir, which);
        const sourceKey = `videos/raw/1/real-world/${path.basename(clip.file)}`;
        await aws.storage.put(sourceKey, await readFile(clip.file), { contentType: 'video/mp4' });
        const { name, width, height } = clip.expect.lowest;
        // What the API asks for after its probe: a tiny source's own-size rendition.
        const jobFormats = renditionsForSource(width, height, formats ?? clip.expect.renditions);
        const jobId = await insertTestJob(db.sql, {
          userId,
          title: which,
          sourceKey,
          formats: jobFormats,
        });
        await relayOutboxOnce(db.sql, aws.queue);
        expect(
          await waitForJobToFinish(db.sql, jobId, {
            timeoutMs: 180_000,
            intervalMs: 500,
            output: () => output.slice(-3000),
          }),
        ).toMatchObject({ status: 'succeeded', video_status: 'ready' });

        const prefix = `videos/output/${jobId}/`;
        const manifest = RenditionManifest.parse(
          JSON.parse(await text(await aws.storage.get(`${prefix}${name}/rendition.json`))),
        );
        expect(manifest).toMatchObject({
          name,
          width,
          height,
          processing: {
            sourceDynamicRange: clip.expect.dynamicRange,
            toneMapped: clip.expect.dynamicRange !== 'SDR',
          },
        });
        expect(manifest.processing?.deinterlaced).toBe(
          clip.expect.interlaced ? 'field-rate' : undefined,
        );
        const master = HLS.parse(
          await text(await aws.storage.get(`${prefix}master.m3u8`)),
        ) as HLS.types.MasterPlaylist;
        expect(master.variants.map((v) => [v.uri, v.videoRange])).toEqual([
          [`${name}/index.m3u8`, 'SDR'],
        ]);
        expect(await aws.storage.head(`${prefix}poster.jpg`)).toBeDefined();

        const mp4 = path.join(dir, `${which}-out.mp4`);
        const body = await aws.storage.get(`${prefix}${name}/${name}.mp4`);
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
        await writeFile(mp4, Buffer.concat(chunks));
        expect(await probeOutput(mp4)).toMatchObject({
          width,
          height,
          colour: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709' },
          frameRate: clip.expect.frameRate,
          fieldOrder: 'progressive',
        });
        if (clip.expect.interlaced) {
          const idet = await interlacedFrames(mp4);
          expect(idet.interlaced).toBeLessThanOrEqual(Math.ceil(idet.progressive * 0.1));
        }

        const resource = (await suite.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
          ...crd,
          namespace: suite.namespace,
          name: `job-${jobId}`,
        })) as TranscodeJobResource;
        expect(resource.status).toMatchObject({
          phase: 'Succeeded',
          renditionsSummary: '1/1',
          video: {
            sourceDynamicRange: clip.expect.dynamicRange,
            toneMapped: clip.expect.dynamicRange !== 'SDR',
          },
        });
        expect(resource.status?.video?.deinterlaced).toBe(
          clip.expect.interlaced ? 'field-rate' : undefined,
        );
        expect(resource.spec.renditions.map((r) => r.name)).toEqual([name]);
      }, 240_000);
    }

    it('a source ffmpeg cannot read fails with its typed reason on the job row and the TranscodeJob', async () => {
      const sourceKey = 'videos/raw/1/real-world/notes.mp4';
      await aws.storage.put(sourceKey, Buffer.from('meeting notes, not a video\n'.repeat(200)), {
        contentType: 'video/mp4',
      });
      const jobId = await insertTestJob(db.sql, {
        userId,
        title: 'not a video',
        sourceKey,
        formats: ['360p'],
      });
      await relayOutboxOnce(db.sql, aws.queue);
      const row = await waitForJobToFinish(db.sql, jobId, {
        timeoutMs: 120_000,
        intervalMs: 500,
        output: () => output.slice(-3000),
      });
      expect(row?.status).toBe('failed');
      expect(row?.error_message).toMatch(/bad-input unreadable: not a recognised/);
      const resource = (await suite.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        ...crd,
        namespace: suite.namespace,
        name: `job-${jobId}`,
      })) as TranscodeJobResource;
      const failed = resource.status?.conditions?.find((c) => c.type === 'Failed');
      expect(failed).toMatchObject({ status: 'True', reason: 'BadInput' });
      expect(failed?.message).toMatch(/bad-input unreadable: not a recognised/);
    }, 180_000);
  },
);
