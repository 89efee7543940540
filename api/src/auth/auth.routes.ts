import { parseCookie } from 'cookie';
import {
  Router,
  type CookieOptions,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { z } from 'zod';
import {
  LoginRequest,
  MfaCodeRequest,
  PasswordChangeRequest,
  RefreshRequest,
  RefreshToken,
  RegisterRequest,
  type TokenResponse,
} from '@videoforge/contracts';
import { HttpError } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import type { AuthService, IssuedTokens } from './auth.service.ts';
import { currentUser, type Authentication } from './authenticate.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from './tokens.ts';
import type { UsersRepository } from './users.repository.ts';
import { toUser } from './users.repository.ts';

/** The browser's refresh token: HttpOnly, so scripts (and XSS) cannot read it. */
export const REFRESH_COOKIE = 'vf_refresh';
/**
 * The web app names itself with this header. A refresh by cookie must carry it (defence
 * in depth beside SameSite=Strict: a cross-site form cannot set it, and cross-origin
 * scripts need a preflight the API does not grant with credentials), and answers to it
 * leave the refresh token out of the JSON body.
 */
export const WEB_APP_HEADER = { name: 'X-Requested-With', value: 'videoforge' } as const;

export const RefreshCookies = z.object({ [REFRESH_COOKIE]: RefreshToken });

export function refreshCookieOptions(req: Request): CookieOptions {
  // req.secure follows X-Forwarded-Proto from a trusted proxy (TRUST_PROXY), so the
  // cookie keeps Secure behind a TLS-terminating load balancer.
  return { httpOnly: true, sameSite: 'strict', path: '/api/auth', secure: req.secure };
}

export function fromWebApp(req: Request): boolean {
  return req.get(WEB_APP_HEADER.name) === WEB_APP_HEADER.value;
}

export function requestCookies(req: Request): Record<string, string | undefined> {
  const header = req.get('cookie');
  return header ? parseCookie(header) : {};
}

export function setRefreshCookie(req: Request, res: Response, refreshToken: string): void {
  res.cookie(REFRESH_COOKIE, refreshToken, {
    ...refreshCookieOptions(req),
    maxAge: REFRESH_TOKEN_TTL_SECONDS * 1000,
  });
}

/** Sets the refresh cookie; the body keeps the refresh token for non-browser clients only. */
export function sendTokens(
  req: Request,
  res: Response,
  status: 200 | 201,
  tokens: IssuedTokens,
): void {
  setRefreshCookie(req, res, tokens.refreshToken);
  const body: TokenResponse = { ...tokens };
  if (fromWebApp(req)) delete body.refreshToken;
  // Tokens must never sit in a browser or proxy cache.
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json(body);
}

export function clearRefreshCookie(req: Request, res: Response): void {
  res.clearCookie(REFRESH_COOKIE, refreshCookieOptions(req));
}

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
    sendTokens(req, res, 201, await auth.register(parse(RegisterRequest, req.body, 'body')));
  });
  router.post('/api/auth/login', rateLimit, builtinOnly, async (req, res) => {
    sendTokens(req, res, 200, await auth.login(parse(LoginRequest, req.body, 'body')));
  });
  router.post('/api/auth/refresh', rateLimit, builtinOnly, async (req, res) => {
    const { refreshToken } = parse(RefreshRequest, req.body, 'body');
    if (refreshToken) {
      sendTokens(req, res, 200, await auth.refresh(refreshToken));
      return;
    }
    const cookies = requestCookies(req);
    if (cookies[REFRESH_COOKIE] === undefined)
      throw new HttpError(
        401,
        'unauthenticated',
        `no refresh token: send {"refreshToken"} or the ${REFRESH_COOKIE} cookie`,
      );
    if (!fromWebApp(req))
      throw new HttpError(
        403,
        'forbidden',
        `a refresh by cookie needs the header ${WEB_APP_HEADER.name}: ${WEB_APP_HEADER.value}`,
      );
    try {
      const token = parse(RefreshCookies, cookies, 'cookies')[REFRESH_COOKIE];
      sendTokens(req, res, 200, await auth.refresh(token));
    } catch (error) {
      // A cookie the API refuses is of no further use: drop it with the error.
      clearRefreshCookie(req, res);
      throw error;
    }
  });
  router.post('/api/auth/logout', rateLimit, builtinOnly, authn.required, async (req, res) => {
    // The bearer token already proves this is no cross-site request, so no header check.
    const token =
      parse(RefreshRequest, req.body, 'body').refreshToken ?? requestCookies(req)[REFRESH_COOKIE];
    if (token) await auth.logout(token, currentUser(req).userId);
    clearRefreshCookie(req, res);
    res.status(204).end();
  });
  router.post('/api/auth/logout-all', rateLimit, builtinOnly, authn.required, async (req, res) => {
    await auth.logoutEverywhere(currentUser(req).userId);
    clearRefreshCookie(req, res);
    res.status(204).end();
  });
  router.post('/api/auth/password', rateLimit, builtinOnly, authn.required, async (req, res) => {
    const input = parse(PasswordChangeRequest, req.body, 'body');
    sendTokens(req, res, 200, await auth.changePassword(currentUser(req).userId, input));
  });
  router.get('/api/auth/me', authn.required, async (req, res) => {
    const user = await users.findById(currentUser(req).userId);
    if (!user) throw new HttpError(401, 'invalid_token', 'the account no longer exists');
    res.json(toUser(user));
  });
  router.post('/api/auth/mfa/setup', rateLimit, builtinOnly, authn.required, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
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
