import { Router, type RequestHandler } from 'express';
import {
  LoginRequest,
  MfaCodeRequest,
  RefreshRequest,
  RegisterRequest,
} from '@videoforge/contracts';
import { HttpError } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import type { AuthService } from './auth.service.ts';
import { currentUser, type Authentication } from './authenticate.ts';
import type { UsersRepository } from './users.repository.ts';
import { toUser } from './users.repository.ts';

export interface AuthRoutesDeps {
  mode: 'builtin' | 'oidc';
  auth: AuthService;
  users: UsersRepository;
  authn: Authentication;
  rateLimit: RequestHandler;
}

export function authRoutes({ mode, auth, users, authn, rateLimit }: AuthRoutesDeps): Router {
  const router = Router();
  // With OIDC the issuer owns accounts and passwords; these routes do not exist.
  const builtinOnly: RequestHandler = (_req, _res, next) => {
    if (mode !== 'builtin')
      throw new HttpError(
        404,
        'not_found',
        'accounts are managed by the identity provider (AUTH_MODE=oidc)',
      );
    next();
  };

  router.post('/api/auth/register', rateLimit, builtinOnly, async (req, res) => {
    res.status(201).json(await auth.register(parse(RegisterRequest, req.body, 'body')));
  });
  router.post('/api/auth/login', rateLimit, builtinOnly, async (req, res) => {
    res.json(await auth.login(parse(LoginRequest, req.body, 'body')));
  });
  router.post('/api/auth/refresh', rateLimit, builtinOnly, async (req, res) => {
    res.json(await auth.refresh(parse(RefreshRequest, req.body, 'body').refreshToken));
  });
  router.post('/api/auth/logout', rateLimit, builtinOnly, authn.required, async (req, res) => {
    await auth.logout(
      parse(RefreshRequest, req.body, 'body').refreshToken,
      currentUser(req).userId,
    );
    res.status(204).end();
  });
  router.get('/api/auth/me', authn.required, async (req, res) => {
    const user = await users.findById(currentUser(req).userId);
    if (!user) throw new HttpError(401, 'invalid_token', 'the account no longer exists');
    res.json(toUser(user));
  });
  router.post('/api/auth/mfa/setup', rateLimit, builtinOnly, authn.required, async (req, res) => {
    res.json(await auth.setupMfa(currentUser(req).userId));
  });
  router.post('/api/auth/mfa/verify', rateLimit, builtinOnly, authn.required, async (req, res) => {
    res.json(
      await auth.verifyMfa(currentUser(req).userId, parse(MfaCodeRequest, req.body, 'body').code),
    );
  });
  router.delete('/api/auth/mfa', rateLimit, builtinOnly, authn.required, async (req, res) => {
    await auth.removeMfa(currentUser(req).userId, parse(MfaCodeRequest, req.body, 'body').code);
    res.status(204).end();
  });
  return router;
}
