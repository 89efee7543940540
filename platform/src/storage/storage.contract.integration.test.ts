import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeWith } from '../../../test/support/components.ts';
import { createTestBucket, testS3Storage } from '../../../test/support/aws.ts';
import { createLocalStorage, type LocalStorage } from './local.storage.ts';
import { createLocalStorageHandler } from './local-storage.handler.ts';
import { InvalidStorageKeyError } from './storage-key.ts';
import { ObjectNotFoundError, type StoragePort } from './storage.port.ts';

interface Fixture {
  storage: StoragePort;
  close(): Promise<void>;
}

async function localFixture(): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vf-storage-'));
  let storage: LocalStorage | undefined = undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!storage || !url.pathname.startsWith('/api/storage/')) return res.writeHead(404).end();
    void createLocalStorageHandler(storage)(
      req,
      res,
      url.pathname.slice('/api/storage/'.length),
      url.searchParams,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  storage = createLocalStorage({
    rootDir: dir,
    publicBaseUrl: `http://127.0.0.1:${address.port}/api/storage`,
    signingSecret: 'contract-test-secret-0123456789abcdef',
  });
  return {
    storage,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function s3Fixture(): Promise<Fixture> {
  const endpoint = inject('awsEndpoint');
  const bucket = await createTestBucket(endpoint);
  const storage = testS3Storage(endpoint, bucket);
  return { storage, close: async () => storage.client.destroy() };
}

const MiB = 1024 * 1024;

function contract(name: string, makeFixture: () => Promise<Fixture>) {
  describe(`${name} storage adapter`, () => {
    let fixture: Fixture;
    let storage: StoragePort;
    beforeAll(async () => {
      fixture = await makeFixture();
      storage = fixture.storage;
    });
    afterAll(() => fixture.close());

    it('stores, reads back and describes an object', async () => {
      await storage.put('videos/raw/1/clip.txt', 'hello storage', { contentType: 'text/plain' });
      expect(await text(await storage.get('videos/raw/1/clip.txt'))).toBe('hello storage');
      expect(await storage.head('videos/raw/1/clip.txt')).toMatchObject({
        key: 'videos/raw/1/clip.txt',
        size: 13,
        contentType: 'text/plain',
      });
    });

    it('reads a byte range', async () => {
      await storage.put('range/abc.txt', '0123456789');
      expect(await text(await storage.get('range/abc.txt', { start: 2, end: 5 }))).toBe('2345');
      expect(await text(await storage.get('range/abc.txt', { start: 7 }))).toBe('789');
    });

    it('reports missing objects as such', async () => {
      expect(await storage.head('missing/nothing')).toBeUndefined();
      await expect(storage.get('missing/nothing')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('lists by prefix, in key order, page by page', async () => {
      for (const n of [3, 1, 2]) await storage.put(`list/p/${n}.bin`, Buffer.from([n]));
      await storage.put('list/q/other.bin', 'x');
      const first = await storage.list('list/p/', { limit: 2 });
      expect(first.objects.map((o) => o.key)).toEqual(['list/p/1.bin', 'list/p/2.bin']);
      expect(first.nextCursor).toBeDefined();
      const second = await storage.list('list/p/', {
        limit: 2,
        ...(first.nextCursor ? { cursor: first.nextCursor } : {}),
      });
      expect(second.objects.map((o) => o.key)).toEqual(['list/p/3.bin']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('deletes idempotently, and by prefix', async () => {
      await storage.put('del/a', 'a');
      await storage.delete('del/a');
      await storage.delete('del/a');
      expect(await storage.head('del/a')).toBeUndefined();
      for (const k of ['out/9/720p/a.m4s', 'out/9/720p/b.m4s', 'out/9/master.m3u8', 'out/90/keep'])
        await storage.put(k, 'x');
      expect(await storage.deletePrefix('out/9/')).toBe(3);
      expect((await storage.list('out/')).objects.map((o) => o.key)).toEqual(['out/90/keep']);
    });

    it('serves a presigned GET, with a download name when asked', async () => {
      await storage.put('signed/get.txt', 'signed body', { contentType: 'text/plain' });
      const response = await fetch(
        await storage.presignGet('signed/get.txt', { expiresInSeconds: 60 }),
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('signed body');
      const download = await fetch(
        await storage.presignGet('signed/get.txt', {
          expiresInSeconds: 60,
          downloadName: 'My clip.txt',
        }),
      );
      expect(download.headers.get('content-disposition')).toContain('My clip.txt');
      const ranged = await fetch(
        await storage.presignGet('signed/get.txt', { expiresInSeconds: 60 }),
        { headers: { Range: 'bytes=0-5' } },
      );
      expect(ranged.status).toBe(206);
      expect(await ranged.text()).toBe('signed');
    });

    it('accepts a presigned PUT', async () => {
      const url = await storage.presignPut('signed/put.bin', {
        expiresInSeconds: 60,
        contentType: 'video/mp4',
      });
      const response = await fetch(url, {
        method: 'PUT',
        body: 'uploaded bytes',
        headers: { 'Content-Type': 'video/mp4' },
      });
      expect(response.status).toBe(200);
      expect(await text(await storage.get('signed/put.bin'))).toBe('uploaded bytes');
      expect((await storage.head('signed/put.bin'))?.contentType).toBe('video/mp4');
    });

    it('assembles a multipart upload from presigned part URLs', async () => {
      const upload = await storage.createMultipart('multi/big.bin', {
        contentType: 'application/octet-stream',
      });
      // S3 requires every part but the last to be at least 5 MiB.
      const bodies = [Buffer.alloc(5 * MiB, 'a'), Buffer.from('tail-part')];
      const parts = [];
      // Upload out of order: the part numbers, not arrival, decide the layout.
      for (const partNumber of [2, 1]) {
        const url = await storage.presignPart(upload, partNumber, { expiresInSeconds: 60 });
        const response = await fetch(url, { method: 'PUT', body: bodies[partNumber - 1] });
        expect(response.status).toBe(200);
        parts.push({ partNumber, etag: response.headers.get('etag') ?? '' });
      }
      await storage.completeMultipart(upload, parts);
      const info = await storage.head('multi/big.bin');
      expect(info?.size).toBe(5 * MiB + 9);
      expect(await text(await storage.get('multi/big.bin', { start: 5 * MiB - 2 }))).toBe(
        'aatail-part',
      );
    });

    it('aborts a multipart upload, leaving nothing behind', async () => {
      const upload = await storage.createMultipart('multi/aborted.bin');
      const url = await storage.presignPart(upload, 1, { expiresInSeconds: 60 });
      await fetch(url, { method: 'PUT', body: 'partial' });
      await storage.abortMultipart(upload);
      await expect(
        storage.completeMultipart(upload, [{ partNumber: 1, etag: '"x"' }]),
      ).rejects.toThrow();
      expect(await storage.head('multi/aborted.bin')).toBeUndefined();
    });

    it('streams a large put without holding it in memory', async () => {
      const { Readable } = await import('node:stream');
      const chunks = function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(MiB, i);
      };
      await storage.put('stream/big.bin', Readable.from(chunks()), {
        contentType: 'video/mp4',
        cacheControl: 'public, max-age=31536000, immutable',
      });
      expect((await storage.head('stream/big.bin'))?.size).toBe(20 * MiB);
    });

    it('refuses keys that could escape their prefix', async () => {
      for (const key of [
        '../escape.txt',
        'videos/../../etc/passwd',
        '/etc/passwd',
        'bad\u0000key',
      ]) {
        await expect(storage.put(key, 'x')).rejects.toBeInstanceOf(InvalidStorageKeyError);
        await expect(storage.presignGet(key, { expiresInSeconds: 60 })).rejects.toBeInstanceOf(
          InvalidStorageKeyError,
        );
      }
    });
  });
}

describe('storage port contract', () => {
  contract('local', localFixture);
  describeWith(['s3'], 'on a real S3-compatible server (moto)', () => contract('s3', s3Fixture));
});

describe('local adapter signed URLs over HTTP', () => {
  it('refuses a tampered or unsigned request', async () => {
    const fixture = await localFixture();
    try {
      await fixture.storage.put('secret/file.txt', 'private');
      const url = new URL(
        await fixture.storage.presignGet('secret/file.txt', { expiresInSeconds: 60 }),
      );
      const unsigned = new URL(url);
      unsigned.search = '';
      expect((await fetch(unsigned)).status).toBe(400);
      const otherKey = new URL(url);
      otherKey.pathname = otherKey.pathname.replace('file.txt', 'other.txt');
      expect((await fetch(otherKey)).status).toBe(403);
      const traversal = new URL(url);
      traversal.pathname = '/api/storage/secret/..%2F..%2Fmeta/secret/file.txt.json';
      const response = await fetch(traversal);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'InvalidKey' } });
      const put = await fetch(url, { method: 'PUT', body: 'overwrite' });
      expect(put.status).toBe(403);
      expect(await text(await fixture.storage.get('secret/file.txt'))).toBe('private');
    } finally {
      await fixture.close();
    }
  });
});
