import HLS from 'hls-parser';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {
  Caption,
  CaptionList,
  TokenResponse,
  TracksManifest,
  TracksResponse,
} from '@videoforge/contracts';
import { call, startTestApi, type TestApi } from '../../../test/support/api-app.ts';
import { describeWith } from '../../../test/support/components.ts';

const master = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="Commentary",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="tracks/a0/index.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="Main",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="tracks/a1/index.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=940000,RESOLUTION=426x240,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio"',
  '240p/index.m3u8',
  '',
].join('\n');
const media = (segment: string) =>
  `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.000,\n${segment}\n#EXT-X-ENDLIST\n`;
const audioTrack = (id: string, name: string, isDefault: boolean) => ({
  id,
  sourceIndex: Number(id.slice(1)) + 1,
  sourceCodec: 'aac',
  sourceChannels: 6,
  language: 'en',
  name,
  default: isDefault,
  channels: 2 as const,
  downmix: 'downmixed' as const,
  codecs: 'mp4a.40.2',
  bitrateKbps: 128,
  bandwidth: 140000,
  averageBandwidth: 130000,
  playlist: `tracks/${id}/index.m3u8`,
  durationSeconds: 2,
  bytes: 10,
});
const tracksJson: TracksManifest = {
  version: 1,
  audio: [audioTrack('a0', 'Commentary', false), audioTrack('a1', 'Main', true)],
  subtitles: [],
  skipped: [
    {
      kind: 'subtitle',
      sourceIndex: 3,
      codec: 'hdmv_pgs_subtitle',
      reason:
        'hdmv_pgs_subtitle subtitles are images; WebVTT carries text only, so the track was skipped',
    },
  ],
  mainAudioFile: 'tracks/a1/main.m4a',
};
const srt =
  '1\n00:00:00,500 --> 00:00:01,500\nHello from a sidecar\n\n2\n00:00:01,600 --> 00:00:01,900\nBye\n';

function parseMaster(text: string): HLS.types.MasterPlaylist {
  const parsed = HLS.parse(text);
  if (!(parsed instanceof HLS.types.MasterPlaylist)) throw new Error('not a master playlist');
  return parsed;
}

describeWith(['postgres', 's3'], 'sidecar captions and track renditions through the API', () => {
  let api: TestApi;
  let alice: TokenResponse;
  let bob: TokenResponse;
  let videoId: string;
  let publicVideoId: string;

  async function seedVideo(owner: string, visibility: 'public' | 'private'): Promise<string> {
    const [video] = await api.db.sql<{ id: string }[]>`
      INSERT INTO gallery_videos (user_id, title, visibility, status, source_key, duration_seconds, width, height, audio_codec)
      VALUES (${owner}, 'tracks', ${visibility}, 'ready', ${`videos/raw/${owner}/x/a.mkv`}, 2, 426, 240, 'aac') RETURNING id`;
    const [job] = await api.db.sql<{ id: string }[]>`
      INSERT INTO jobs (user_id, video_id, status, progress, formats, input_key, output_prefix)
      VALUES (${owner}, ${video!.id}, 'succeeded', 100, ${['240p']}, 'k', '') RETURNING id`;
    const prefix = `videos/output/${job!.id}/`;
    await api.db
      .sql`UPDATE jobs SET output_prefix = ${prefix}, completed_at = now() WHERE id = ${job!.id}`;
    await api.storage.put(`${prefix}master.m3u8`, master);
    await api.storage.put(`${prefix}240p/index.m3u8`, media('segment-00000.m4s'));
    await api.storage.put(`${prefix}240p/segment-00000.m4s`, 'VIDEO');
    for (const id of ['a0', 'a1']) {
      await api.storage.put(`${prefix}tracks/${id}/index.m3u8`, media('segment-00000.m4s'));
      await api.storage.put(`${prefix}tracks/${id}/init.mp4`, `INIT-${id}`);
      await api.storage.put(`${prefix}tracks/${id}/segment-00000.m4s`, `AUDIO-${id}`);
    }
    await api.storage.put(`${prefix}tracks/tracks.json`, JSON.stringify(tracksJson));
    return video!.id;
  }

  const register = async (username: string) =>
    (
      await call(api.base, 'POST', '/api/auth/register', {
        body: { username, email: `${username}@example.com`, password: 'Sup3r!secret' },
      })
    ).body as TokenResponse;

  /** The master as a player gets it, then a media playlist resolved against it. */
  async function playMaster(id: string, token?: string): Promise<HLS.types.MasterPlaylist> {
    const response = await fetch(`${api.base}/api/stream/${id}/master.m3u8`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    expect(response.status).toBe(200);
    return parseMaster(await response.text());
  }
  async function fetchMedia(id: string, uri: string): Promise<HLS.types.MediaPlaylist> {
    const response = await fetch(new URL(uri, `${api.base}/api/stream/${id}/master.m3u8`));
    expect(response.status).toBe(200);
    const parsed = HLS.parse(await response.text());
    if (!(parsed instanceof HLS.types.MediaPlaylist)) throw new Error('not a media playlist');
    return parsed;
  }

  beforeAll(async () => {
    api = await startTestApi({
      postgresUrl: inject('postgresUrl'),
      storage: { kind: 's3', endpoint: inject('awsEndpoint') },
    });
    await register('tracks-admin');
    alice = await register('tracks-alice');
    bob = await register('tracks-bob');
    videoId = await seedVideo(alice.user.id, 'private');
    publicVideoId = await seedVideo(alice.user.id, 'public');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serves each audio rendition of a private video through the stream token, segments signed', async () => {
    const played = await playMaster(videoId, alice.accessToken);
    const audio = played.variants[0]?.audio ?? [];
    expect(audio.map((a) => [a.name, a.isDefault])).toEqual([
      ['Commentary', false],
      ['Main', true],
    ]);
    expect(audio[1]?.uri).toMatch(/^tracks\/a1\/index\.m3u8\?st=/);
    const playlist = await fetchMedia(videoId, audio[1]?.uri ?? '');
    const segment = playlist.segments[0];
    expect(segment?.uri).toContain('X-Amz-Signature');
    expect(await (await fetch(segment?.uri ?? '')).text()).toBe('AUDIO-a1');
    expect(await (await fetch(segment?.map?.uri ?? '')).text()).toBe('INIT-a1');
    // A track id that is not in tracks.json is not served, whatever is in storage.
    expect(
      (
        await call(api.base, 'GET', `/api/stream/${videoId}/tracks/a7/index.m3u8`, {
          token: alice.accessToken,
        })
      ).status,
    ).toBe(404);
  });

  it('adds a sidecar .srt as WebVTT, lists it, offers it in the master, and removes it', async () => {
    const created = await call(api.base, 'POST', `/api/videos/${videoId}/captions`, {
      token: alice.accessToken,
      body: { language: 'eng', label: 'English (SDH)', content: srt },
    });
    expect(created.status).toBe(201);
    const caption = created.body as Caption;
    expect(caption).toMatchObject({
      language: 'en',
      label: 'English (SDH)',
      sourceFormat: 'srt',
      cueCount: 2,
    });

    const list = (
      await call(api.base, 'GET', `/api/videos/${videoId}/captions`, { token: alice.accessToken })
    ).body as CaptionList;
    expect(list.items.map((c) => c.id)).toEqual([caption.id]);

    const tracks = (
      await call(api.base, 'GET', `/api/videos/${videoId}/tracks`, { token: alice.accessToken })
    ).body as TracksResponse;
    expect(
      tracks.tracks?.audio.map((a) => [a.name, a.default, a.downmix, a.sourceChannels]),
    ).toEqual([
      ['Commentary', false, 'downmixed', 6],
      ['Main', true, 'downmixed', 6],
    ]);
    expect(tracks.tracks?.subtitles).toEqual([
      {
        id: `c${caption.id}`,
        language: 'en',
        name: 'English (SDH)',
        default: false,
        forced: false,
        sourceCodec: 'subrip',
        sidecar: true,
      },
    ]);
    expect(tracks.tracks?.skipped.map((s) => s.codec)).toEqual(['hdmv_pgs_subtitle']);

    const played = await playMaster(videoId, alice.accessToken);
    const subtitles = played.variants[0]?.subtitles ?? [];
    expect(subtitles.map((s) => [s.type, s.name, s.language, s.groupId])).toEqual([
      ['SUBTITLES', 'English (SDH)', 'en', 'subs'],
    ]);
    const playlist = await fetchMedia(videoId, subtitles[0]?.uri ?? '');
    expect(playlist.endlist).toBe(true);
    const vtt = await (await fetch(playlist.segments[0]?.uri ?? '')).text();
    expect(vtt).toBe(
      'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n00:00:00.500 --> 00:00:01.500\nHello from a sidecar\n\n00:00:01.600 --> 00:00:01.900\nBye\n',
    );
    const whole = await call(api.base, 'GET', `/api/videos/${videoId}/captions/${caption.id}/vtt`, {
      token: alice.accessToken,
    });
    expect(whole.status).toBe(200);

    const removed = await call(
      api.base,
      'DELETE',
      `/api/videos/${videoId}/captions/${caption.id}`,
      {
        token: alice.accessToken,
      },
    );
    expect(removed.status).toBe(204);
    expect((await playMaster(videoId, alice.accessToken)).variants[0]?.subtitles).toEqual([]);
  });

  it('validates the language, the content and its size, and lets only the owner or an admin write', async () => {
    const post = (id: string, body: unknown, token?: string) =>
      call(api.base, 'POST', `/api/videos/${id}/captions`, { token, body });
    const ok = { language: 'pt-BR', label: 'Português', content: srt };
    expect(
      (await post(videoId, { ...ok, language: 'not a language' }, alice.accessToken)).status,
    ).toBe(400);
    expect((await post(videoId, { ...ok, label: 'a"b' }, alice.accessToken)).status).toBe(400);
    const garbage = await post(
      videoId,
      { ...ok, content: 'this is not a subtitle file' },
      alice.accessToken,
    );
    expect(garbage.status).toBe(422);
    expect(garbage.body).toMatchObject({ error: { code: 'invalid_captions' } });
    const big = `${srt}\n`.repeat(Math.ceil((600 * 1024) / srt.length));
    expect([400, 413]).toContain(
      (await post(videoId, { ...ok, content: big }, alice.accessToken)).status,
    );
    expect((await post(videoId, ok)).status).toBe(401);
    // Someone else: a private video does not exist for them; a public one is not theirs to change.
    expect((await post(videoId, ok, bob.accessToken)).status).toBe(404);
    expect((await post(publicVideoId, ok, bob.accessToken)).status).toBe(403);
    expect(
      (await call(api.base, 'GET', `/api/videos/${videoId}/captions`, { token: bob.accessToken }))
        .status,
    ).toBe(404);
  });
});
