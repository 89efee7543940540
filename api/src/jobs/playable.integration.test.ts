import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Job,
  JobEvent,
  PlayableEvent,
  TokenResponse,
  TranscodeJobStatus,
  Video,
} from '@videoforge/contracts';
import { mirrorJobStatus } from '../../../controller/src/postgres/job-status.repository.ts';
import { call, registerAdmin, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';
import { serverSentEvents } from '../../../test/support/server-sent-events.ts';

const running = (playableAt?: string): TranscodeJobStatus => ({
  phase: 'Running',
  progress: 20,
  renditions: [{ name: '720p', phase: 'Running', progress: 20 }],
  tracks: { phase: 'Running' },
  ...(playableAt ? { playableAt } : {}),
});

describeWith(['postgres'], '"playable" as its own state (API and events)', () => {
  let api: TestApi;
  let alice: TokenResponse;

  /** A video whose job runs, as upload complete leaves it; mirror() is the controller's write. */
  async function runningJob() {
    const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height)
      VALUES (${alice.user.id}, 'live', 'public', 'processing', ${`videos/raw/${alice.user.id}/x/a.mp4`}, 60, 1280, 720)
      RETURNING id`;
    const [job] = await api.db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
      VALUES (${alice.user.id}, ${video!.id}, 'running', 0, ${['720p']}, 'k', '')
      RETURNING id`;
    const outputPrefix = `videos/output/${job!.id}/`;
    await api.db.sql`UPDATE jobs SET output_prefix = ${outputPrefix} WHERE id = ${job!.id}`;
    const mirror = (status: TranscodeJobStatus) =>
      mirrorJobStatus(api.db.sql, { jobId: job!.id, videoId: video!.id, outputPrefix, status });
    return { videoId: video!.id, jobId: job!.id, mirror };
  }

  const getJob = async (id: string) =>
    (await call(api.base, 'GET', `/api/jobs/${id}`, { token: alice.accessToken })).body as Job;
  const getVideo = async (id: string) =>
    (await call(api.base, 'GET', `/api/videos/${id}`)).body as Video;

  beforeAll(async () => {
    api = await startTestApi({ postgresUrl: inject('postgresUrl'), storage: { kind: 'local' } });
    alice = await registerAdmin(api, 'alice-live');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('says a running job and its video are playable from the moment its first segments were up', async () => {
    const { videoId, jobId, mirror } = await runningJob();
    await mirror(running());
    expect(await getJob(jobId)).toMatchObject({
      status: 'running',
      playable: false,
      playableAt: null,
    });
    expect(await getVideo(videoId)).toMatchObject({
      status: 'processing',
      playable: false,
      playableAt: null,
    });

    const at = '2026-12-03T10:00:05.000Z';
    await mirror(running(at));
    expect(await getJob(jobId)).toMatchObject({
      status: 'running',
      playable: true,
      playableAt: at,
    });
    expect(await getVideo(videoId)).toMatchObject({
      status: 'playable',
      playable: true,
      playableAt: at,
    });

    // A retried workload going live again later does not move the moment.
    await mirror({ ...running('2026-12-03T10:01:00.000Z'), progress: 60 });
    expect((await getJob(jobId)).playableAt).toBe(at);

    await mirror({
      phase: 'Succeeded',
      progress: 100,
      playableAt: at,
      renditions: [{ name: '720p', phase: 'Succeeded' }],
      tracks: { phase: 'Succeeded' },
    });
    expect(await getJob(jobId)).toMatchObject({
      status: 'succeeded',
      playable: true,
      playableAt: at,
    });
    expect(await getVideo(videoId)).toMatchObject({
      status: 'ready',
      playable: true,
      playableAt: at,
    });
  });

  it('streams `event: playable` once, when the job becomes playable, and the state on every job event', async () => {
    const { videoId, jobId, mirror } = await runningJob();
    const response = await fetch(`${api.base}/api/events`, {
      headers: { Authorization: `Bearer ${alice.accessToken}`, Accept: 'text/event-stream' },
      signal: AbortSignal.timeout(20_000),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = serverSentEvents(response.body as AsyncIterable<Uint8Array>);
    const at = '2026-12-03T10:00:05.000Z';
    // The stream is open (its headers came): each mirror write below is one notification.
    await mirror(running());
    await mirror(running(at));
    await mirror({ ...running(at), progress: 50 });
    const seen: Array<{ event: string; data: unknown }> = [];
    for await (const event of events) {
      seen.push(event);
      if (event.event === 'job' && (event.data as JobEvent).progress === 50) break;
    }
    const ours = seen.filter((e) => (e.data as { jobId: string }).jobId === jobId);
    expect(ours.map((e) => e.event)).toEqual(['job', 'job', 'playable', 'job']);
    expect(ours[0]!.data).toMatchObject({ playable: false, playableAt: null });
    expect(ours[1]!.data).toMatchObject({ playable: true, playableAt: at });
    expect(ours[2]!.data).toEqual({ jobId, videoId, playableAt: at } satisfies PlayableEvent);
    expect(ours[3]!.data).toMatchObject({ playable: true, playableAt: at, progress: 50 });
  });
});
