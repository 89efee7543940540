import { Router } from 'express';
import { z } from 'zod';
import { EntityId, VideoListQuery, VideoUpdateRequest } from '@videoforge/contracts';
import { currentUser, principalOf, type Authentication } from '../auth/authenticate.ts';
import { parse } from '../http/validate.ts';
import type { VideosService } from './videos.service.ts';

export const VideoParams = z.object({ id: EntityId });

export function videosRoutes({
  videos,
  authn,
}: {
  videos: VideosService;
  authn: Authentication;
}): Router {
  const router = Router();
  router.get('/api/videos', authn.optional, async (req, res) => {
    res.json(await videos.listPublic(principalOf(req), parse(VideoListQuery, req.query, 'query')));
  });
  router.get('/api/videos/mine', authn.required, async (req, res) => {
    res.json(await videos.listMine(currentUser(req), parse(VideoListQuery, req.query, 'query')));
  });
  router.get('/api/videos/:id', authn.optional, async (req, res) => {
    res.json(await videos.get(principalOf(req), parse(VideoParams, req.params, 'params').id));
  });
  router.get('/api/videos/:id/downloads', authn.optional, async (req, res) => {
    res.json(await videos.downloads(principalOf(req), parse(VideoParams, req.params, 'params').id));
  });
  router.patch('/api/videos/:id', authn.required, async (req, res) => {
    const { id } = parse(VideoParams, req.params, 'params');
    res.json(
      await videos.update(currentUser(req), id, parse(VideoUpdateRequest, req.body, 'body')),
    );
  });
  router.delete('/api/videos/:id', authn.required, async (req, res) => {
    await videos.delete(currentUser(req), parse(VideoParams, req.params, 'params').id);
    res.status(204).end();
  });
  return router;
}
