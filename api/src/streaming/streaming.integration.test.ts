import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { DownloadsResponse, TokenResponse } from '@videoforge/contracts';
import { call, registerAdmin, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';

const master =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=426x240,CODECS="avc1.64001e"\n360p/index.m3u8\n';
const variant =
  '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.000,\nseg_00000.m4s\n#EXT-X-ENDLIST\n';

describeWith(['postgres', 's3'], 'streaming, downloads, events and private videos', () => {
  let api: TestApi;
  let alice: TokenResponse;
  let bob: TokenResponse;
  let privateVideo: string;
  let publicVideo: string;
  let privateJob: string;

  async function seedVideo(
    owner: string,
    visibility: 'public' | 'private',
  ): Promise<{ videoId: string; jobId: string }> {
    const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height)
      VALUES (${owner}, ${`a ${visibility} video`}, ${visibility}, 'ready', ${`videos/raw/${owner}/x/a.mp4`}, 2, 426, 240) RETURNING id`;
    const [job] = await api.db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
      VALUES (${owner}, ${video!.id}, 'succeeded', 100, ${['360p']}, 'k', '') RETURNING id`;
    const prefix = `videos/output/${job!.id}/`;
    await api.db
      .sql`UPDATE jobs SET output_prefix = ${prefix}, completed_at = now() WHERE id = ${job!.id}`;
    await api.storage.put(`${prefix}master.m3u8`, master);
    await api.storage.put(`${prefix}360p/index.m3u8`, variant);
    await api.storage.put(`${prefix}360p/init.mp4`, 'INIT');
    await api.storage.put(`${prefix}360p/seg_00000.m4s`, 'SEGMENT-0');
    await api.storage.put(`${prefix}360p/360p.mp4`, 'MP4');
    await api.storage.put(`${prefix}poster.jpg`, 'POSTER');
    await api.storage.put(`${prefix}thumbnails/sprite.jpg`, 'SPRITE');
    await api.storage.put(
      `${prefix}thumbnails/thumbnails.vtt`,
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nsprite.jpg#xywh=0,0,160,90\n',
    );
    return { videoId: video!.id, jobId: job!.id };
  }

  const register = async (username: string) =>
    (
      await call(api.base, 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.com`, password: 'Sup3r!secret' },
      })
    ).body as TokenResponse;

  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 's3', endpoint: inject('awsEndpoint') },
    });
    await registerAdmin(api, 'the-admin'); // the install's admin; the others are plain users
    alice = await register('alice');
    bob = await register('bob');
    ({ videoId: privateVideo, jobId: privateJob } = await seedVideo(alice.user.id, 'private'));
    ({ videoId: publicVideo } = await seedVideo(alice.user.id, 'public'));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('plays a private video for its owner through stream tokens and signed segment URLs', async () => {
    const masterResponse = await fetch(`${api.base}/api/stream/${privateVideo}/master.m3u8`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    expect(masterResponse.status).toBe(200);
    expect(masterResponse.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
    const masterText = await masterResponse.text();
    const variantUri = masterText
      .split('\n')
      .find((line) => line.startsWith('360p/index.m3u8?st='));
    expect(variantUri).toBeDefined();

    // The player resolves the variant relative to the master and sends no header.
    const variantResponse = await fetch(
      new URL(variantUri!, `${api.base}/api/stream/${privateVideo}/master.m3u8`),
    );
    expect(variantResponse.status).toBe(200);
    const variantText = await variantResponse.text();
    const segment = variantText.split('\n').find((line) => line.startsWith('http'));
    expect(segment).toContain('X-Amz-Signature');
    expect(variantText).toMatch(/#EXT-X-MAP:URI="http[^"]+init\.mp4[^"]*X-Amz-Expires=900/);
    expect(await (await fetch(segment!)).text()).toBe('SEGMENT-0');

    // The stream token is for this video only.
    const token = new URL(variantUri!, 'http://x/').searchParams.get('st') ?? '';
    expect(
      (await fetch(`${api.base}/api/stream/${publicVideo}/360p/index.m3u8?st=${token}`)).status,
    ).toBe(200); // public anyway

    // Bound to alice: it works without a session (a player), never for another user.
    const variantPath = `/api/stream/${privateVideo}/360p/index.m3u8?st=${token}`;
    expect((await fetch(`${api.base}${variantPath}`)).status).toBe(200);
    expect((await call(api.base, 'GET', variantPath, { token: bob.accessToken })).status).toBe(404);
    // Nor once alice may no longer view the video (it changed hands).
    await api.db.sql`UPDATE gallery_videos SET user_id = ${bob.user.id} WHERE id = ${privateVideo}`;
    expect((await fetch(`${api.base}${variantPath}`)).status).toBe(404);
    await api.db
      .sql`UPDATE gallery_videos SET user_id = ${alice.user.id} WHERE id = ${privateVideo}`;
    const downloads = (
      await call(api.base, 'GET', `/api/videos/${privateVideo}/downloads`, {
        token: alice.accessToken,
      })
    ).body as DownloadsResponse;
    expect(downloads.items.map((d) => d.rendition)).toEqual(['360p']);
    expect(await (await fetch(downloads.items[0]!.url)).text()).toBe('MP4');
  });

  it("answers 404 for another user's private video on every route, playlists included", async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJ2aWQiOiIxIn0.c2lnbmF0dXJl';
    for (const token of [bob.accessToken, undefined]) {
      for (const [method, route] of [
        ['GET', `/api/videos/${privateVideo}`],
        ['GET', `/api/videos/${privateVideo}/downloads`],
        ['PATCH', `/api/videos/${privateVideo}`],
        ['DELETE', `/api/videos/${privateVideo}`],
        ['GET', `/api/stream/${privateVideo}/master.m3u8`],
        ['GET', `/api/stream/${privateVideo}/360p/index.m3u8`],
        ['GET', `/api/stream/${privateVideo}/360p/index.m3u8?st=${forged}`],
        ['GET', `/api/jobs/${privateJob}`],
        ['POST', `/api/jobs/${privateJob}/cancel`],
        ['POST', `/api/jobs/${privateJob}/retry`],
      ] as const) {
        const response = await call(api.base, method, route, {
          token,
          ...(method === 'PATCH' ? { body: { title: 'x' } } : {}),
        });
        const expected =
          token === undefined &&
          !route.includes('/stream/') &&
          (route.startsWith('/api/jobs') || method !== 'GET')
            ? 401
            : 404;
        expect(response.status, `${method} ${route} ${token ? 'as bob' : 'anonymous'}`).toBe(
          expected,
        );
      }
    }
    const publicMaster = await (
      await fetch(`${api.base}/api/stream/${publicVideo}/master.m3u8`)
    ).text();
    expect(publicMaster).toContain('\n360p/index.m3u8\n');
    expect(
      (
        await call(api.base, 'GET', `/api/stream/${privateVideo}/9999999p/index.m3u8`, {
          token: alice.accessToken,
        })
      ).status,
    ).toBe(400);
    expect((await call(api.base, 'GET', `/api/videos/abc`)).status).toBe(400);
    expect((await call(api.base, 'GET', `/api/videos/0`)).status).toBe(400);
  });

  it('streams job events to their owner only, from Postgres notifications', async () => {
    const open = async (token: string) => {
      const controller = new AbortController();
      // A browser buys a single-use ticket with its bearer token; the URL carries only that.
      const bought = await call(api.base, 'POST', '/api/events/ticket', { token });
      expect(bought.status).toBe(201);
      const { ticket } = bought.body as { ticket: string };
      const response = await fetch(`${api.base}/api/events?ticket=${ticket}`, {
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const next = async (
        predicate: (text: string) => boolean,
        timeoutMs: number,
      ): Promise<string | undefined> => {
        const deadline = Date.now() + timeoutMs;
        while (!predicate(buffer)) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) return undefined;
          const timeout = new Promise<undefined>((resolve) =>
            setTimeout(() => resolve(undefined), remaining),
          );
          const chunk: { done: boolean; value?: Uint8Array } | undefined = await Promise.race([
            reader.read(),
            timeout,
          ]);
          if (!chunk || chunk.done) return predicate(buffer) ? buffer : undefined;
          buffer += decoder.decode(chunk.value, { stream: true });
        }
        return buffer;
      };
      return { next, close: () => controller.abort() };
    };
    const aliceStream = await open(alice.accessToken);
    const bobStream = await open(bob.accessToken);
    await aliceStream.next((t) => t.includes(': connected'), 5000);
    await bobStream.next((t) => t.includes(': connected'), 5000);

    // What the controller announces when it mirrors a TranscodeJob's status.
    const controllerEvent = {
      type: 'job',
      jobId: privateJob,
      videoId: privateVideo,
      userId: alice.user.id,
      status: 'running',
      progress: 42.5,
      renditions: [{ name: '360p', phase: 'running', progress: 42.5 }],
    };
    await api.db.sql`SELECT pg_notify('videoforge_job_events', ${JSON.stringify(controllerEvent)})`;
    const received = await aliceStream.next((t) => t.includes('event: job'), 5000);
    expect(received).toContain(`"jobId":"${privateJob}"`);
    expect(received).toContain(
      '"status":"running","progress":42.5,"renditions":[{"name":"360p","phase":"running","progress":42.5}]',
    );

    // Jobs the API creates are announced too.
    const created = await call(api.base, 'POST', '/api/jobs', {
      token: alice.accessToken,
      body: { videoId: privateVideo, formats: ['360p'] },
    });
    expect(created.status).toBe(201);
    const newJob = (created.body as { id: string }).id;
    expect(
      await aliceStream.next(
        (t) => t.includes(`"jobId":"${newJob}","videoId":"${privateVideo}","status":"pending"`),
        5000,
      ),
    ).toBeDefined();
    expect(await bobStream.next((t) => t.includes('event: job'), 500)).toBeUndefined();
    aliceStream.close();
    bobStream.close();
    expect((await call(api.base, 'GET', '/api/events')).status).toBe(401);
    // A ticket opens one stream only.
    const spent = await call(api.base, 'POST', '/api/events/ticket', { token: bob.accessToken });
    const { ticket } = spent.body as { ticket: string };
    const once = new AbortController();
    expect(
      (await fetch(`${api.base}/api/events?ticket=${ticket}`, { signal: once.signal })).status,
    ).toBe(200);
    once.abort();
    expect((await call(api.base, 'GET', `/api/events?ticket=${ticket}`)).status).toBe(401);
    // Access tokens in the URL are refused outright (they would land in proxy logs).
    const inUrl = await call(api.base, 'GET', `/api/events?access_token=${alice.accessToken}`);
    expect(inUrl.status).toBe(400);
  });
  it('serves posters and seek thumbnails through signed storage URLs, private ones to the owner only', async () => {
    for (const [videoId, token] of [
      [publicVideo, undefined],
      [privateVideo, alice.accessToken],
    ] as const) {
      const poster = await fetch(`${api.base}/api/stream/${videoId}/poster.jpg`, {
        redirect: 'manual',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      expect(poster.status).toBe(302);
      expect(await (await fetch(poster.headers.get('location')!)).text()).toBe('POSTER');
      const vtt = await call(api.base, 'GET', `/api/stream/${videoId}/thumbnails.vtt`, { token });
      expect(vtt.status).toBe(200);
      expect(vtt.headers.get('content-type')).toContain('text/vtt');
      const cue = /(http\S+)#xywh=0,0,160,90/.exec(String(vtt.body));
      expect(cue?.[1]).toContain('X-Amz-Signature');
      expect(await (await fetch(cue![1]!)).text()).toBe('SPRITE');
    }
    for (const token of [bob.accessToken, undefined]) {
      for (const file of ['poster.jpg', 'thumbnails.vtt']) {
        expect(
          (await call(api.base, 'GET', `/api/stream/${privateVideo}/${file}`, { token })).status,
        ).toBe(404);
      }
    }
  });

  it('plays the renditions a running job has finished, before its master playlist exists', async () => {
    const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height)
      VALUES (${alice.user.id}, 'early', 'public', 'playable', ${`videos/raw/${alice.user.id}/y/a.mp4`}, 2, 1280, 720) RETURNING id`;
    const [job] = await api.db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
      VALUES (${alice.user.id}, ${video!.id}, 'running', 50, ${['720p', '360p']}, 'k', '') RETURNING id`;
    const prefix = `videos/output/${job!.id}/`;
    await api.db.sql`UPDATE jobs SET output_prefix = ${prefix} WHERE id = ${job!.id}`;
    expect(
      (await call(api.base, 'GET', `/api/stream/${video!.id}/master.m3u8`)).body,
    ).toMatchObject({ error: { code: 'not_ready' } });

    await api.storage.put(`${prefix}360p/index.m3u8`, variant);
    await api.storage.put(`${prefix}360p/init.mp4`, 'INIT');
    await api.storage.put(`${prefix}360p/seg_00000.m4s`, 'SEGMENT-0');
    await api.storage.put(
      `${prefix}360p/rendition.json`,
      JSON.stringify({
        version: 1,
        name: '360p',
        width: 640,
        height: 360,
        frameRate: { num: 25, den: 1 },
        codecs: 'avc1.64001e,mp4a.40.2',
        hasAudio: true,
        videoBitrateKbps: 600,
        bandwidth: 800000,
        averageBandwidth: 700000,
        durationSeconds: 2,
        playlist: 'index.m3u8',
        mp4: '360p.mp4',
        segmentCount: 1,
        bytes: 20,
      }),
    );
    await api.db.sql`
      INSERT INTO media_assets (job_id, video_id, asset_type, rendition, storage_key, content_type)
      VALUES (${job!.id}, ${video!.id}, 'rendition', '360p', ${`${prefix}360p/index.m3u8`}, 'application/vnd.apple.mpegurl')`;

    const master = await call(api.base, 'GET', `/api/stream/${video!.id}/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.body).toContain('RESOLUTION=640x360');
    expect(master.body).toContain('\n360p/index.m3u8\n');
    expect(master.body).not.toContain('720p');
    const playlist = await call(api.base, 'GET', `/api/stream/${video!.id}/360p/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(String(playlist.body)).toContain('X-Amz-Signature');
    expect((await call(api.base, 'GET', `/api/stream/${video!.id}/720p/index.m3u8`)).status).toBe(
      404,
    );
    // No poster or thumbnails until the job finishes.
    expect((await call(api.base, 'GET', `/api/stream/${video!.id}/poster.jpg`)).status).toBe(404);

    // A video page finds its job by video id.
    const jobs = await call(api.base, 'GET', `/api/jobs?videoId=${video!.id}&pageSize=1`, {
      token: alice.accessToken,
    });
    expect((jobs.body as { items: { id: string }[] }).items.map((j) => j.id)).toEqual([job!.id]);
    const bobs = await call(api.base, 'GET', `/api/jobs?videoId=${video!.id}`, {
      token: bob.accessToken,
    });
    expect((bobs.body as { total: number }).total).toBe(0);
  });
});
