import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TokenResponse, UploadCreateResponse } from '@videoforge/contracts';
import { createLogger } from '@videoforge/platform/logging';
import { call, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { sweepExpiredUploads } from './upload-sweeper.ts';

describeWith(['postgres'], 'the upload sweeper', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('takes uploads stuck in "completing" (a complete that died half-way), not live ones', async () => {
    const { accessToken } = (
      await call(api.base, 'POST', '/api/auth/register', {
        body: { username: 'stuck', email: 'stuck@example.com', password: 'Sup3r!secret' },
      })
    ).body as TokenResponse;
    const bytes = Buffer.from('not really a video, never probed');
    const upload = async () => {
      const created = (
        await call(api.base, 'POST', '/api/uploads', {
          token: accessToken,
          body: { filename: 'x.mp4', size: bytes.length, contentType: 'video/mp4' },
        })
      ).body as Extract<UploadCreateResponse, { mode: 'single' }>;
      expect((await fetch(created.url, { method: 'PUT', body: bytes })).status).toBe(200);
      return created;
    };
    const [stuck, live] = [await upload(), await upload()];
    // Both expired and "completing"; only one has been so for over an hour.
    await api.db.sql`
      UPDATE uploads SET status = 'completing', expires_at = now() - interval '1 minute',
        updated_at = now() - interval '2 hours' WHERE id = ${stuck.uploadId}`;
    await api.db.sql`
      UPDATE uploads SET status = 'completing', expires_at = now() - interval '1 minute'
      WHERE id = ${live.uploadId}`;
    const deps = {
      sql: api.db.sql,
      storage: api.storage,
      logger: createLogger({ service: 'test', level: 'silent' }),
    };
    expect(await sweepExpiredUploads(deps)).toBe(1);
    expect(await api.storage.head(stuck.key)).toBeUndefined();
    expect(await api.storage.head(live.key)).toBeDefined();
    const rows = await api.db.sql<{ id: string; status: string }[]>`
      SELECT id, status FROM uploads WHERE id IN (${stuck.uploadId}, ${live.uploadId}) ORDER BY id`;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      [stuck.uploadId]: 'aborted',
      [live.uploadId]: 'completing',
    });
  });
});

describeWith(['postgres'], 'local storage’s signed GETs', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serve only the content types the platform expects; an uploaded page is a download', async () => {
    const page = '<script>alert(document.domain)</script>';
    await api.storage.put('videos/raw/1/x/evil.html', page, { contentType: 'text/html' });
    await api.storage.put('videos/raw/1/x/evil.svg', page);
    await api.storage.put('videos/output/1/360p/index.m3u8', '#EXTM3U\n');
    for (const key of ['videos/raw/1/x/evil.html', 'videos/raw/1/x/evil.svg']) {
      const response = await fetch(await api.storage.presignGet(key, { expiresInSeconds: 60 }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type'), key).toBe('application/octet-stream');
      expect(response.headers.get('content-disposition'), key).toBe('attachment');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const playlist = await fetch(
      await api.storage.presignGet('videos/output/1/360p/index.m3u8', { expiresInSeconds: 60 }),
    );
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('content-disposition')).toBeNull();
  });
});
