import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '@videoforge/contracts';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Default absolute lifetime of a refresh-token family (REFRESH_FAMILY_MAX_AGE_DAYS). */
export const REFRESH_FAMILY_LIFETIME_SECONDS = 90 * 24 * 3600;
export const STREAM_TOKEN_TTL_SECONDS = 6 * 3600;

const ISSUER = 'videoforge';
const ACCESS_AUDIENCE = 'videoforge-api';
const STREAM_AUDIENCE = 'videoforge-stream';

/** Who is calling, as every route sees it (built-in or OIDC alike). */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
}

export type TokenFailure = 'expired' | 'invalid';

export class TokenError extends Error {
  readonly reason: TokenFailure;
  constructor(reason: TokenFailure, message: string) {
    super(message);
    this.name = 'TokenError';
    this.reason = reason;
  }
}

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signAccessToken(
  secret: string,
  principal: Principal,
  now = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: principal.role, username: principal.username })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(ACCESS_AUDIENCE)
    .setSubject(principal.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .sign(keyOf(secret));
}

/**
 * Verifies an access token. The algorithm is pinned to HS256, so `alg: none` and
 * algorithm-confusion tokens fail before their claims are looked at.
 */
export async function verifyAccessToken(secret: string, token: string): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: ACCESS_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    const role = payload.role === 'admin' ? 'admin' : payload.role === 'user' ? 'user' : undefined;
    if (
      !payload.sub ||
      !/^[1-9][0-9]*$/.test(payload.sub) ||
      !role ||
      typeof payload.username !== 'string'
    ) {
      throw new TokenError('invalid', 'token claims are malformed');
    }
    return { userId: payload.sub, role, username: payload.username };
  } catch (error) {
    throw toTokenError(error);
  }
}

/**
 * A short-lived token that lets a player fetch one video's variant playlists without the
 * session token. It is bound to the user it was issued to (their id and role at the
 * time): it opens the video only while that user may view it, and never for another
 * signed-in user.
 */
export async function signStreamToken(
  secret: string,
  videoId: string,
  principal: Pick<Principal, 'userId' | 'role'>,
): Promise<string> {
  return new SignJWT({ vid: videoId, uid: principal.userId, role: principal.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(STREAM_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${STREAM_TOKEN_TTL_SECONDS}s`)
    .sign(keyOf(secret));
}

/** The user a valid stream token for `videoId` was issued to, or undefined. */
export async function verifyStreamToken(
  secret: string,
  token: string,
  videoId: string,
): Promise<Pick<Principal, 'userId' | 'role'> | undefined> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: STREAM_AUDIENCE,
    });
    if (payload.vid !== videoId || typeof payload.uid !== 'string') return undefined;
    return { userId: payload.uid, role: payload.role === 'admin' ? 'admin' : 'user' };
  } catch {
    return undefined;
  }
}

export function toTokenError(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof errors.JWTExpired) return new TokenError('expired', 'token expired');
  return new TokenError('invalid', 'token is invalid');
}

/**
 * Refresh tokens are opaque: `<row id>.<32 random bytes>`. The row id finds the row;
 * only a hash of the whole token is stored, so a database leak yields no usable token.
 */
export interface IssuedRefreshToken {
  id: string;
  token: string;
  hash: string;
}

export function newRefreshToken(): IssuedRefreshToken {
  const id = randomUUID();
  const token = `${id}.${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const REFRESH_TOKEN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;

/** The row id inside a refresh token, or undefined when it is not one of ours. */
export function refreshTokenId(token: string): string | undefined {
  return REFRESH_TOKEN.exec(token)?.[1];
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface RefreshTokenRow {
  id: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  /** The family's absolute end; expiresAt never passes it. */
  familyExpiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * What presenting a refresh token means. A token already used or revoked is a replay:
 * the whole family is revoked, since either the old or the new holder is a thief.
 */
export type RefreshVerdict =
  { kind: 'rotate' } | { kind: 'reuse' } | { kind: 'expired' } | { kind: 'invalid' };

export function judgeRefreshToken(
  row: RefreshTokenRow | undefined,
  presentedHash: string,
  now: Date,
): RefreshVerdict {
  if (!row || !sameHash(row.tokenHash, presentedHash)) return { kind: 'invalid' };
  if (row.usedAt !== null || row.revokedAt !== null) return { kind: 'reuse' };
  if (row.expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
  return { kind: 'rotate' };
}
