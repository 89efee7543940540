import { text } from 'node:stream/consumers';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  EntityId,
  finalOutputKey,
  LiveRenditionManifest,
  liveManifestKey,
  liveTracksManifestKey,
  OUTPUT_FILES,
  TracksManifest,
  RenditionManifest,
  VariantName,
  renderMasterPlaylist,
  renditionPrefix,
  TrackId,
  withSubtitleRenditions,
} from '@videoforge/contracts';
import { ObjectNotFoundError, type StoragePort } from '@videoforge/platform/storage';
import { principalOf, type Authentication } from '../auth/authenticate.ts';
import { signStreamToken, verifyStreamToken } from '../auth/tokens.ts';
import { canManage, canView } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundError, parse } from '../http/validate.ts';
import type { JobsRepository } from '../jobs/jobs.repository.ts';
import { CAPTION_FILES, type TracksService } from '../tracks/tracks.service.ts';
import type { VideoRow, VideosRepository } from '../videos/videos.repository.ts';
import { renderDashManifest } from './dash-manifest.ts';
import { dashPresentation, masterVariantNames } from './dash-presentation.ts';
import {
  playlistUris,
  resolveInside,
  rewritePlaylist,
  rewriteThumbnailsVtt,
  segmentUrlTtlSeconds,
  thumbnailImageUris,
} from './playlist-rewrite.ts';

export interface StreamingDeps {
  videos: VideosRepository;
  jobs: JobsRepository;
  storage: StoragePort;
  /** Audio/subtitle renditions and sidecar captions. */
  tracks: TracksService;
  authn: Authentication;
  secret: string;
}

const MasterParams = z.object({ videoId: EntityId });
// A rendition, its HDR twin ("720p-hdr") or a codec family's twin ("720p-hevc", "720p-av1").
const VariantParams = z.object({ videoId: EntityId, rendition: VariantName });
const TrackParams = z.object({ videoId: EntityId, trackId: TrackId });
/** Playlist URIs in a master that this API serves: video variants (and HDR twins) and track renditions. */
const SERVED_URI =
  /^(?:[1-9][0-9]{0,3}p(?:-hdr|-hevc|-av1)?|tracks\/[asc][0-9]{1,9})\/index\.m3u8$/;
/** A private video's stream token, for players that cannot send the session's header. */
export const StreamQuery = z.object({
  st: z
    .string()
    .max(2048)
    .optional()
    .describe("a stream token from the HLS master playlist's variant URIs (private videos)"),
});

const M3U8 = 'application/vnd.apple.mpegurl';
const MPD = 'application/dash+xml';
const POSTER_URL_TTL_SECONDS = 3600;

/** Where a video's playable outputs are: a finished job's, or the renditions done so far. */
type Outputs =
  | { kind: 'final'; masterKey: string; prefix: string }
  | {
      kind: 'partial';
      prefix: string;
      renditions: string[];
      /** Renditions still encoding that already have segments up (their live.json). */
      live: LiveRenditionManifest[];
    };

/**
 * HLS and DASH playback. The master playlist points at this API's variant playlists, carrying
 * a short-lived stream token (players cannot add headers to every request); variant
 * playlists point straight at storage with short-lived signed segment URLs.
 */
export function streamingRoutes({
  videos,
  jobs,
  storage,
  tracks,
  authn,
  secret,
}: StreamingDeps): Router {
  const router = Router();

  const notReady = () =>
    new HttpError(404, 'not_ready', 'this video has no playable renditions yet');

  /**
   * The newest succeeded job's outputs; before any job has succeeded, the renditions a
   * running job has finished (so a video plays as soon as its first rendition is done).
   */
  async function outputsOf(video: VideoRow): Promise<Outputs> {
    const masterKey =
      video.masterPlaylistKey ??
      (await jobs
        .latestSucceeded(video.id)
        .then((job) => job && finalOutputKey(job.outputPrefix, 'master')));
    if (masterKey)
      return {
        kind: 'final',
        masterKey,
        prefix: masterKey.slice(0, masterKey.lastIndexOf('/') + 1),
      };
    for (const job of (await jobs.forVideo(video.id)).reverse()) {
      if (!job.outputPrefix) continue;
      const finished = await jobs.finishedRenditions(job.id);
      const live =
        job.status === 'running'
          ? await liveRenditions(
              job.outputPrefix,
              job.formats.filter((name) => !finished.has(name)),
            )
          : [];
      // A rendition the transcoder finished (rendition.json up, live.json gone) before the
      // controller recorded it: still served, so a player reloading its playlist never
      // meets a 404 in between.
      const uploaded =
        job.status === 'running'
          ? await uploadedRenditions(
              job.outputPrefix,
              job.formats.filter(
                (name) => !finished.has(name) && !live.some((r) => r.name === name),
              ),
            )
          : [];
      if (finished.size > 0 || live.length > 0 || uploaded.length > 0)
        return {
          kind: 'partial',
          prefix: job.outputPrefix,
          renditions: [...finished, ...uploaded, ...live.map((r) => r.name)].sort(),
          live,
        };
    }
    throw notReady();
  }

  /** The running renditions that published their first segments (see docs/transcoder.md). */
  async function liveRenditions(
    prefix: string,
    names: readonly string[],
  ): Promise<LiveRenditionManifest[]> {
    const found = await Promise.all(
      names.map((name) =>
        readJson(liveManifestKey(prefix, name)).then((json) =>
          LiveRenditionManifest.safeParse(json),
        ),
      ),
    );
    return found.flatMap((parsed) => (parsed.success ? [parsed.data] : []));
  }

  async function uploadedRenditions(prefix: string, names: readonly string[]): Promise<string[]> {
    const found = await Promise.all(
      names.map(async (name) =>
        (await readJson(`${prefix}${name}/${OUTPUT_FILES.renditionManifest}`)) === undefined
          ? []
          : [name],
      ),
    );
    return found.flat();
  }

  async function readJson(key: string): Promise<unknown> {
    try {
      return JSON.parse(await text(await storage.get(key))) as unknown;
    } catch (error) {
      if (error instanceof ObjectNotFoundError || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async function partialMaster(
    video: VideoRow,
    outputs: Extract<Outputs, { kind: 'partial' }>,
  ): Promise<string> {
    // Playable means with sound: until the audio tracks are up, a video with audio waits.
    const live = TracksManifest.safeParse(await readJson(liveTracksManifestKey(outputs.prefix)));
    const manifest =
      (await tracks.manifestAt(outputs.prefix)) ?? (live.success ? live.data : undefined);
    if (!manifest && video.audioCodec) throw notReady();
    const liveNames = new Set(outputs.live.map((r) => r.name));
    const finished = await Promise.all(
      outputs.renditions
        .filter((name) => !liveNames.has(name))
        .map(async (name) =>
          RenditionManifest.parse(
            JSON.parse(await read(`${outputs.prefix}${name}/${OUTPUT_FILES.renditionManifest}`)),
          ),
        ),
    );
    // Highest first, as the finalize step writes it, over what is finished or live so far.
    return renderMasterPlaylist([...finished, ...outputs.live], manifest);
  }

  async function read(key: string): Promise<string> {
    try {
      return await text(await storage.get(key));
    } catch (error) {
      if (error instanceof ObjectNotFoundError)
        throw new HttpError(404, 'not_ready', 'this video has no playable renditions yet');
      throw error;
    }
  }

  async function playable(req: Request, videoId: string, streamToken?: string): Promise<VideoRow> {
    const video = await videos.findById(videoId);
    if (!video) throw notFoundError('video');
    const principal = principalOf(req);
    if (canView(principal, video)) return video;
    const holder = streamToken ? await verifyStreamToken(secret, streamToken, video.id) : undefined;
    // Bound to its user: it works for them (or anonymously, as players fetch variants
    // without the session), only while they may view the video, never for someone else.
    if (
      holder &&
      (!principal || principal.userId === holder.userId) &&
      canManage({ ...holder, username: '' }, video.ownerId)
    )
      return video;
    throw notFoundError('video');
  }

  router.get('/api/stream/:videoId/master.m3u8', authn.optional, async (req, res) => {
    const { videoId } = parse(MasterParams, req.params, 'params');
    const video = await playable(req, videoId);
    const outputs = await outputsOf(video);
    const master = withSubtitleRenditions(
      outputs.kind === 'final'
        ? await read(outputs.masterKey)
        : await partialMaster(video, outputs),
      await tracks.sidecarTracks(video),
    );
    // A private video got here through canView, so a viewer is signed in.
    const viewer = principalOf(req);
    const token =
      video.visibility === 'private' && viewer
        ? await signStreamToken(secret, video.id, viewer)
        : undefined;
    const mapping = new Map<string, string>();
    for (const uri of playlistUris(master)) {
      if (SERVED_URI.test(uri))
        mapping.set(uri, token ? `${uri}?st=${encodeURIComponent(token)}` : uri);
    }
    res.setHeader('Cache-Control', 'private, no-store');
    res.type(M3U8).send(rewritePlaylist(master, mapping));
  });

  /** A media playlist (video variant or track) with its segments as signed storage URLs. */
  async function sendMediaPlaylist(res: Response, video: VideoRow, directory: string) {
    const playlist = await read(`${directory}${OUTPUT_FILES.renditionPlaylist}`);
    const ttl = segmentUrlTtlSeconds(video.durationSeconds);
    const mapping = new Map<string, string>();
    await Promise.all(
      playlistUris(playlist).map(async (uri) => {
        const key = resolveInside(directory, uri);
        if (key) mapping.set(uri, await storage.presignGet(key, { expiresInSeconds: ttl }));
      }),
    );
    res.setHeader('Cache-Control', 'private, no-store');
    res.type(M3U8).send(rewritePlaylist(playlist, mapping));
  }

  router.get('/api/stream/:videoId/:rendition/index.m3u8', authn.optional, async (req, res) => {
    const { videoId, rendition } = parse(VariantParams, req.params, 'params');
    const { st } = parse(StreamQuery, req.query, 'query');
    const video = await playable(req, videoId, st);
    const outputs = await outputsOf(video);
    if (outputs.kind === 'partial' && !outputs.renditions.includes(rendition)) throw notReady();
    await sendMediaPlaylist(res, video, renditionPrefix(outputs.prefix, rendition));
  });

  // An audio or subtitle rendition's media playlist, segments signed like a variant's.
  router.get(
    '/api/stream/:videoId/tracks/:trackId/index.m3u8',
    authn.optional,
    async (req, res) => {
      const { videoId, trackId } = parse(TrackParams, req.params, 'params');
      const { st } = parse(StreamQuery, req.query, 'query');
      const video = await playable(req, videoId, st);
      const outputs = await outputsOf(video);
      const directory = await tracks.trackDirectory(video, outputs.prefix, trackId);
      if (!directory) throw notFoundError('track');
      await sendMediaPlaylist(res, video, directory);
    },
  );

  /**
   * DASH over the same CMAF segments. Every URL in it is a signed storage URL (none
   * comes back to this API), so the MPD itself is the only request that needs the
   * viewer: a session token, or a stream token (`st`) bound to them as for variants.
   */
  router.get('/api/stream/:videoId/manifest.mpd', authn.optional, async (req, res) => {
    const { videoId } = parse(MasterParams, req.params, 'params');
    const { st } = parse(StreamQuery, req.query, 'query');
    const video = await playable(req, videoId, st);
    const outputs = await outputsOf(video);
    const trackManifest = await tracks.manifestAt(outputs.prefix);
    // As for HLS: while a job runs, a video with sound waits for its audio tracks.
    if (outputs.kind === 'partial' && !trackManifest && video.audioCodec) throw notReady();
    const variants =
      outputs.kind === 'final'
        ? masterVariantNames(await read(outputs.masterKey))
        : // DASH is static: only finished renditions until the job is done.
          outputs.renditions.filter((name) => !outputs.live.some((r) => r.name === name));
    const sidecars = await Promise.all(
      (await tracks.sidecarTracks(video)).map(async (track) => ({
        track,
        directory: (await tracks.trackDirectory(video, outputs.prefix, track.id)) ?? '',
        file: CAPTION_FILES.full,
      })),
    );
    const presentation = await dashPresentation(
      { storage, read, ttlSeconds: segmentUrlTtlSeconds(video.durationSeconds) },
      {
        prefix: outputs.prefix,
        variants,
        tracks: trackManifest,
        sidecars: sidecars.filter((sidecar) => sidecar.directory !== ''),
      },
    );
    if (presentation.video.length === 0) throw notReady();
    res.setHeader('Cache-Control', 'private, no-store');
    res.type(MPD).send(renderDashManifest(presentation));
  });

  /** The finished job's file for images: the poster and the seek-thumbnail track. */
  async function finalFile(video: VideoRow, file: 'poster' | 'thumbnails'): Promise<string> {
    const outputs = await outputsOf(video);
    if (outputs.kind !== 'final') throw notReady();
    return `${outputs.prefix}${OUTPUT_FILES[file]}`;
  }

  // The poster: a redirect to a signed storage URL, so <img> tags can use this path.
  router.get('/api/stream/:videoId/poster.jpg', authn.optional, async (req, res) => {
    const { videoId } = parse(MasterParams, req.params, 'params');
    const { st } = parse(StreamQuery, req.query, 'query');
    const video = await playable(req, videoId, st);
    const key = await finalFile(video, 'poster');
    if (!(await storage.head(key))) throw notReady();
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.redirect(302, await storage.presignGet(key, { expiresInSeconds: POSTER_URL_TTL_SECONDS }));
  });

  // Seek thumbnails (WebVTT): each cue's sprite URI signed like a segment.
  router.get('/api/stream/:videoId/thumbnails.vtt', authn.optional, async (req, res) => {
    const { videoId } = parse(MasterParams, req.params, 'params');
    const { st } = parse(StreamQuery, req.query, 'query');
    const video = await playable(req, videoId, st);
    const key = await finalFile(video, 'thumbnails');
    const vtt = await read(key);
    const directory = key.slice(0, key.lastIndexOf('/') + 1);
    const ttl = segmentUrlTtlSeconds(video.durationSeconds);
    const mapping = new Map<string, string>();
    await Promise.all(
      thumbnailImageUris(vtt).map(async (uri) => {
        const resolved = resolveInside(directory, uri);
        if (resolved)
          mapping.set(uri, await storage.presignGet(resolved, { expiresInSeconds: ttl }));
      }),
    );
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('text/vtt').send(rewriteThumbnailsVtt(vtt, mapping));
  });
  return router;
}
