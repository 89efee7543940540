import { Router } from 'express';
import { z } from 'zod';
import {
  UploadCompleteRequest,
  UploadCreateRequest,
  UploadId,
  UploadPartsRequest,
} from '@videoforge/contracts';
import { currentUser, type Authentication } from '../auth/authenticate.ts';
import { parse } from '../http/validate.ts';
import type { UploadsService } from './uploads.service.ts';

export const UploadParams = z.object({ id: UploadId });

export function uploadsRoutes({
  uploads,
  authn,
}: {
  uploads: UploadsService;
  authn: Authentication;
}): Router {
  const router = Router();
  router.use('/api/uploads', authn.required);
  router.post('/api/uploads', async (req, res) => {
    res
      .status(201)
      .json(await uploads.create(currentUser(req), parse(UploadCreateRequest, req.body, 'body')));
  });
  router.get('/api/uploads', async (req, res) => {
    res.json(await uploads.list(currentUser(req)));
  });
  router.get('/api/uploads/:id', async (req, res) => {
    const { id } = parse(UploadParams, req.params, 'params');
    res.json(await uploads.state(currentUser(req), id));
  });
  router.post('/api/uploads/:id/parts', async (req, res) => {
    const { id } = parse(UploadParams, req.params, 'params');
    const { partNumbers } = parse(UploadPartsRequest, req.body, 'body');
    res.json(await uploads.signParts(currentUser(req), id, partNumbers));
  });
  router.post('/api/uploads/:id/complete', async (req, res) => {
    const { id } = parse(UploadParams, req.params, 'params');
    res
      .status(201)
      .json(
        await uploads.complete(
          currentUser(req),
          id,
          parse(UploadCompleteRequest, req.body, 'body'),
        ),
      );
  });
  router.delete('/api/uploads/:id', async (req, res) => {
    await uploads.abort(currentUser(req), parse(UploadParams, req.params, 'params').id);
    res.status(204).end();
  });
  return router;
}
