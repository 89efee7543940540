import { text } from 'node:stream/consumers';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { EntityId, finalOutputKey, RenditionName } from '@videoforge/contracts';
import { ObjectNotFoundError, type StoragePort } from '@videoforge/platform/storage';
import { principalOf, type Authentication } from '../auth/authenticate.ts';
import { signStreamToken, verifyStreamToken } from '../auth/tokens.ts';
import { canView } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundError, parse } from '../http/validate.ts';
import type { JobsRepository } from '../jobs/jobs.repository.ts';
import type { VideoRow, VideosRepository } from '../videos/videos.repository.ts';
import {
  playlistUris,
  resolveInside,
  rewritePlaylist,
  segmentUrlTtlSeconds,
} from './playlist-rewrite.ts';

export interface StreamingDeps {
  videos: VideosRepository;
  jobs: JobsRepository;
  storage: StoragePort;
  authn: Authentication;
  secret: string;
}

const MasterParams = z.object({ videoId: EntityId });
const VariantParams = z.object({ videoId: EntityId, rendition: RenditionName });
const StreamQuery = z.object({ st: z.string().max(2048).optional() });

const M3U8 = 'application/vnd.apple.mpegurl';

/**
 * HLS playback. The master playlist points at this API's variant playlists, carrying
 * a short-lived stream token (players cannot add headers to every request); variant
 * playlists point straight at storage with short-lived signed segment URLs.
 */
export function streamingRoutes({ videos, jobs, storage, authn, secret }: StreamingDeps): Router {
  const router = Router();

  async function masterKeyOf(video: VideoRow): Promise<string> {
    if (video.masterPlaylistKey) return video.masterPlaylistKey;
    const job = await jobs.latestSucceeded(video.id);
    if (!job) throw new HttpError(404, 'not_ready', 'this video has no playable renditions yet');
    return finalOutputKey(job.outputPrefix, 'master');
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
    if (canView(principalOf(req), video)) return video;
    if (streamToken && (await verifyStreamToken(secret, streamToken, video.id))) return video;
    throw notFoundError('video');
  }

  router.get('/api/stream/:videoId/master.m3u8', authn.optional, async (req, res) => {
    const { videoId } = parse(MasterParams, req.params, 'params');
    const video = await playable(req, videoId);
    const master = await read(await masterKeyOf(video));
    const token =
      video.visibility === 'private'
        ? await signStreamToken(secret, video.id, principalOf(req)?.userId)
        : undefined;
    const mapping = new Map<string, string>();
    for (const uri of playlistUris(master)) {
      const match = /^([1-9][0-9]{0,3}p)\/index\.m3u8$/.exec(uri);
      if (match) mapping.set(uri, token ? `${uri}?st=${encodeURIComponent(token)}` : uri);
    }
    res.setHeader('Cache-Control', 'private, no-store');
    res.type(M3U8).send(rewritePlaylist(master, mapping));
  });

  router.get('/api/stream/:videoId/:rendition/index.m3u8', authn.optional, async (req, res) => {
    const { videoId, rendition } = parse(VariantParams, req.params, 'params');
    const { st } = parse(StreamQuery, req.query, 'query');
    const video = await playable(req, videoId, st);
    const masterKey = await masterKeyOf(video);
    const directory = `${masterKey.slice(0, masterKey.lastIndexOf('/') + 1)}${rendition}/`;
    const playlist = await read(`${directory}index.m3u8`);
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
  });
  return router;
}
