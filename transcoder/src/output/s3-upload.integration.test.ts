import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createS3Storage } from '@videoforge/platform/storage/s3';
import { finalizeOutputs } from '../steps/finalize.service.ts';
import { makeClip, stereoTone, testSettings } from '../testing/integration.fixtures.ts';
import { describeWith } from '../../../test/support/components.ts';
import type { SourceInput } from '@videoforge/platform/media';
import { resolveSource } from '../source/source-policy.ts';
import { transcodeTracks, transcodeRenditions } from '../steps/transcode.service.ts';

const endpoint = inject('awsEndpoint');

// Cluster mode end to end: the source is read through a presigned GET, outputs go up
// through the S3 adapter, and finalize reads the manifests back from the bucket.
describeWith(['ffmpeg', 's3'], 'transcoding through S3', () => {
  const bucket = `vf-transcoder-${randomBytes(4).toString('hex')}`;
  const storage = createS3Storage({
    bucket,
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  let dir: string;
  let source: SourceInput;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vf-s3-'));
    await storage.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const clip = await makeClip(dir, 'upload.mp4', [
      '-f', 'lavfi', '-i', 'testsrc2=s=854x480:r=25:d=3', ...stereoTone(3),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest',
    ]); // prettier-ignore
    await storage.put('videos/raw/upload.mp4', createReadStream(clip), {
      contentType: 'video/mp4',
    });
    // moto serves plain http on loopback, which the policy allows only when enabled.
    const url = await storage.presignGet('videos/raw/upload.mp4', { expiresInSeconds: 600 });
    const decision = resolveSource(url, { allowLoopbackHttp: true, localRoots: [] });
    if (!decision.ok) throw new Error(decision.reason);
    source = decision.source;
  }, 60_000);

  afterAll(async () => {
    await storage.deletePrefix('videos/');
    storage.client.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads each rendition with content types and cache headers, then a master playlist', async () => {
    const settings = testSettings();
    const outcome = await transcodeRenditions(
      { jobId: 's3', source, outputPrefix: 'videos/output/s3/', strategy: 'perRendition' },
      { settings, storage, workRoot: dir },
    );
    expect(outcome).toMatchObject({
      status: 'succeeded',
      renditions: [{ name: '480p' }, { name: '360p' }],
    });

    const head = async (key: string) =>
      storage.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(await head('videos/output/s3/480p/480p.mp4')).toMatchObject({
      ContentType: 'video/mp4',
      CacheControl: 'public, max-age=31536000, immutable',
    });
    expect(await head('videos/output/s3/360p/index.m3u8')).toMatchObject({
      ContentType: 'application/vnd.apple.mpegurl',
    });

    // The per-rendition strategy's tracks workload: the audio, encoded once for both renditions.
    const tracks = await transcodeTracks(
      { jobId: 's3', source, outputPrefix: 'videos/output/s3/' },
      { settings, storage, workRoot: dir },
    );
    expect(tracks).toMatchObject({ status: 'succeeded', tracks: { audio: [{ id: 'a0' }] } });

    const finalized = await finalizeOutputs(
      {
        jobId: 's3',
        source,
        outputPrefix: 'videos/output/s3/',
        expectedRenditions: ['480p', '360p'],
      },
      { settings, storage, workRoot: dir },
    );
    expect(finalized.status).toBe('succeeded');
    const body = await storage.get('videos/output/s3/master.m3u8');
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const master = HLS.parse(Buffer.concat(chunks).toString('utf8'));
    if (!(master instanceof HLS.types.MasterPlaylist))
      throw new Error('expected a master playlist');
    expect(master.variants.map((v) => v.uri).sort()).toEqual([
      '360p/index.m3u8',
      '480p/index.m3u8',
    ]);
    expect(master.variants[0]?.audio.map((a) => [a.uri, a.isDefault])).toEqual([
      ['tracks/a0/index.m3u8', true],
    ]);
    // Finalize muxed the shared audio into each progressive MP4 (downloaded from and put back to S3).
    expect(await head('videos/output/s3/tracks/a0/init.mp4')).toMatchObject({
      ContentType: 'video/mp4',
    });
    expect(await head('videos/output/s3/thumbnails/thumbnails.vtt')).toMatchObject({
      ContentType: 'text/vtt; charset=utf-8',
    });
  });
});
