import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Role } from '@videoforge/contracts';
import { HttpError } from '../http/errors.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import type { UsersRepository } from './users.repository.ts';
import { toTokenError, verifyAccessToken, type Principal } from './tokens.ts';

export interface OidcSettings {
  issuer: string;
  audience?: string | undefined;
  jwksUrl: string;
  groupsClaim: string;
  adminGroup: string;
}

/** Turns a bearer token into a principal, or throws a TokenError. */
export type TokenVerifier = (token: string) => Promise<Principal>;

export function builtinVerifier(secret: string): TokenVerifier {
  return (token) => verifyAccessToken(secret, token);
}

/**
 * OIDC (Cognito or any issuer): the token is checked against the issuer's JWKS
 * (fetched and cached by jose, refreshed on an unknown key id). The account is
 * created on first sight; its role follows the groups claim on every request.
 */
export function oidcVerifier(settings: OidcSettings, users: UsersRepository): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        ...(settings.audience ? { audience: settings.audience } : {}),
        algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'],
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw toTokenError(error);
    }
    const subject = payload.sub ?? '';
    const claim = payload[settings.groupsClaim];
    const groups = Array.isArray(claim)
      ? claim.filter((g): g is string => typeof g === 'string')
      : typeof claim === 'string'
        ? claim.split(/[ ,]/)
        : [];
    const role: Role = groups.includes(settings.adminGroup) ? 'admin' : 'user';
    const name = [payload['cognito:username'], payload.preferred_username, payload.username].find(
      (v): v is string => typeof v === 'string',
    );
    const email = typeof payload.email === 'string' ? payload.email : `${subject}@oidc.invalid`;
    const user = await users.upsertOidc({
      subject,
      username: name ?? `oidc-${subject}`,
      email,
      role,
    });
    return { userId: user.id, username: user.username, role };
  };
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
