import { Router } from 'express';
import { z } from 'zod';
import { EntityId, JobCreateRequest, JobListQuery } from '@videoforge/contracts';
import { currentUser, type Authentication } from '../auth/authenticate.ts';
import { parse } from '../http/validate.ts';
import type { JobsService } from './jobs.service.ts';

export const JobParams = z.object({ id: EntityId });

export function jobsRoutes({ jobs, authn }: { jobs: JobsService; authn: Authentication }): Router {
  const router = Router();
  router.use('/api/jobs', authn.required);
  router.post('/api/jobs', async (req, res) => {
    res
      .status(201)
      .json(await jobs.create(currentUser(req), parse(JobCreateRequest, req.body, 'body')));
  });
  router.get('/api/jobs', async (req, res) => {
    res.json(await jobs.list(currentUser(req), parse(JobListQuery, req.query, 'query')));
  });
  router.get('/api/jobs/:id', async (req, res) => {
    res.json(await jobs.get(currentUser(req), parse(JobParams, req.params, 'params').id));
  });
  router.post('/api/jobs/:id/cancel', async (req, res) => {
    res.json(await jobs.cancel(currentUser(req), parse(JobParams, req.params, 'params').id));
  });
  router.post('/api/jobs/:id/retry', async (req, res) => {
    res
      .status(201)
      .json(await jobs.retry(currentUser(req), parse(JobParams, req.params, 'params').id));
  });
  return router;
}
