import { Router, type Request } from 'express';
import { z } from 'zod';
import { CaptionCreateRequest, EntityId } from '@videoforge/contracts';
import { currentUser, principalOf, type Authentication } from '../auth/authenticate.ts';
import { canManage, canView } from '../http/access.ts';
import { HttpError } from '../http/errors.ts';
import { notFoundError, parse } from '../http/validate.ts';
import type { VideoRow, VideosRepository } from '../videos/videos.repository.ts';
import type { TracksService } from './tracks.service.ts';

const VideoParams = z.object({ id: EntityId });
const CaptionParams = z.object({ id: EntityId, captionId: EntityId });

/**
 * A video's tracks and its sidecar captions: anyone who may watch it may list them;
 * only the owner or an admin may add or remove captions.
 */
export function captionsRoutes({
  videos,
  tracks,
  authn,
}: {
  videos: VideosRepository;
  tracks: TracksService;
  authn: Authentication;
}): Router {
  const router = Router();

  async function visible(req: Request, id: string): Promise<VideoRow> {
    const video = await videos.findById(id);
    if (!video || !canView(principalOf(req), video)) throw notFoundError('video');
    return video;
  }
  async function managed(req: Request, id: string): Promise<VideoRow> {
    const video = await visible(req, id);
    if (!canManage(principalOf(req), video.ownerId))
      throw new HttpError(403, 'forbidden', 'only the owner or an admin may change captions');
    return video;
  }

  router.get('/api/videos/:id/tracks', authn.optional, async (req, res) => {
    const video = await visible(req, parse(VideoParams, req.params, 'params').id);
    res.json({ tracks: await tracks.summary(video) });
  });

  router.get('/api/videos/:id/captions', authn.optional, async (req, res) => {
    const video = await visible(req, parse(VideoParams, req.params, 'params').id);
    res.json({ items: await tracks.listCaptions(video) });
  });

  router.post('/api/videos/:id/captions', authn.required, async (req, res) => {
    const video = await managed(req, parse(VideoParams, req.params, 'params').id);
    const body = parse(CaptionCreateRequest, req.body, 'body');
    res.status(201).json(await tracks.addCaption(video, currentUser(req).userId, body));
  });

  router.get('/api/videos/:id/captions/:captionId/vtt', authn.optional, async (req, res) => {
    const { id, captionId } = parse(CaptionParams, req.params, 'params');
    const video = await visible(req, id);
    res.setHeader('Cache-Control', 'private, max-age=60');
    res.type('text/vtt').send(await tracks.captionVtt(video, captionId));
  });

  router.delete('/api/videos/:id/captions/:captionId', authn.required, async (req, res) => {
    const { id, captionId } = parse(CaptionParams, req.params, 'params');
    await tracks.removeCaption(await managed(req, id), captionId);
    res.status(204).end();
  });
  return router;
}
