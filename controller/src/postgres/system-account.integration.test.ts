import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TokenResponse } from '@videoforge/contracts';
import { call, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { createRowsForManualJob } from './job-rows.repository.ts';

const spec = {
  source: { bucket: 'local', key: 'videos/raw/by-hand.mp4' },
  renditions: [{ name: '360p', height: 360, videoBitrate: '800k' }],
  strategy: 'ladder',
  priority: 0,
  maxRetries: 2,
} as unknown as Parameters<typeof createRowsForManualJob>[2];

describeWith(['postgres'], 'the operator account (system account by marker)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 'local' },
      settings: { registration: 'open' },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('does not hand kubectl-applied videos to a person who registered the name "kubernetes-operator"', async () => {
    const squatter = await call(api.base, 'POST', '/api/auth/register', {
      body: {
        username: 'kubernetes-operator',
        email: 'operator@videoforge.invalid',
        password: 'Sup3r!secret',
      },
    });
    expect(squatter.status).toBe(201);
    const squatterId = (squatter.body as TokenResponse).user.id;

    const first = await createRowsForManualJob(api.db.sql, { uid: 'uid-1', name: 'by-hand' }, spec);
    const second = await createRowsForManualJob(api.db.sql, { uid: 'uid-2', name: 'again' }, spec);
    const owners = await api.db.sql<{ user_id: string; system_account: string | null }[]>`
      SELECT v.user_id, u.system_account FROM gallery_videos v JOIN users u ON u.id = v.user_id
      WHERE v.id IN (${first.videoId}, ${second.videoId})`;
    expect(owners).toHaveLength(2);
    for (const owner of owners) {
      expect(owner.user_id).not.toBe(squatterId);
      expect(owner.system_account).toBe('kubernetes-operator');
    }
    // One system account, reused.
    expect(owners[0]?.user_id).toBe(owners[1]?.user_id);

    // The squatter sees none of them, and the system account cannot be signed in to.
    const token = (squatter.body as TokenResponse).accessToken;
    const mine = await call(api.base, 'GET', '/api/jobs', { token });
    expect(JSON.stringify(mine.body)).not.toContain('by-hand');
    const [system] = await api.db.sql<{ username: string }[]>`
      SELECT username FROM users WHERE system_account = 'kubernetes-operator'`;
    const login = await call(api.base, 'POST', '/api/auth/login', {
      body: { username: system?.username ?? '', password: 'Sup3r!secret' },
    });
    expect(login.status).toBe(401);
  });
});
