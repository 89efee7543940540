import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from '../http/errors.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import { toTokenError, verifyAccessToken, type Principal } from './tokens.ts';

/** Turns a bearer token into a principal, or throws a TokenError. */
export type TokenVerifier = (token: string) => Promise<Principal>;

export function builtinVerifier(secret: string): TokenVerifier {
  return (token) => verifyAccessToken(secret, token);
}

const principals = new WeakMap<Request, Principal>();

export function principalOf(req: Request): Principal | undefined {
  return principals.get(req);
}

/** The caller; only for routes behind requireAuth. */
export function currentUser(req: Request): Principal {
  const principal = principals.get(req);
  if (!principal) throw new HttpError(401, 'unauthenticated', 'sign in first');
  return principal;
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
  if (!match)
    throw new HttpError(401, 'invalid_token', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

export interface Authentication {
  /** 401 unless a valid token is present. */
  required: RequestHandler;
  /** Identifies the caller when a token is present; a bad token is still a 401. */
  optional: RequestHandler;
  /** 403 unless the caller is an admin. */
  admin: RequestHandler;
}

export function createAuthentication(verify: TokenVerifier, metrics: ApiMetrics): Authentication {
  const identify = async (req: Request, res: Response, next: NextFunction, required: boolean) => {
    // Only the Authorization header: a token in a URL ends up in proxy logs (the events
    // stream uses single-use tickets instead).
    const token = bearerToken(req);
    if (!token) {
      if (required) {
        metrics.authFailures.inc({ reason: 'missing' });
        throw new HttpError(401, 'unauthenticated', 'this route needs a bearer token');
      }
      return next();
    }
    try {
      principals.set(req, await verify(token));
    } catch (error) {
      const failure = toTokenError(error);
      metrics.authFailures.inc({ reason: failure.reason });
      res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
      throw new HttpError(
        401,
        failure.reason === 'expired' ? 'token_expired' : 'invalid_token',
        failure.message,
      );
    }
    next();
  };
  return {
    required: (req, res, next) => identify(req, res, next, true),
    optional: (req, res, next) => identify(req, res, next, false),
    admin: (req, _res, next) => {
      if (currentUser(req).role !== 'admin') throw new HttpError(403, 'forbidden', 'admins only');
      next();
    },
  };
}
