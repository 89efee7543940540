import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  hashToken,
  judgeRefreshToken,
  newRefreshToken,
  refreshTokenId,
  signAccessToken,
  verifyAccessToken,
  type RefreshTokenRow,
} from './tokens.ts';

const secret = 'x'.repeat(40);
const alice = { userId: '7', username: 'alice', role: 'user' as const };

describe('access tokens', () => {
  it('round-trips a principal and expires after one hour', async () => {
    const token = await signAccessToken(secret, alice);
    expect(await verifyAccessToken(secret, token)).toEqual(alice);
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as {
      exp: number;
      iat: number;
    };
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('refuses expired, tampered, foreign-key and alg:none tokens', async () => {
    const old = await signAccessToken(secret, alice, new Date(Date.now() - 2 * 3600_000));
    await expect(verifyAccessToken(secret, old)).rejects.toMatchObject({ reason: 'expired' });

    const token = await signAccessToken(secret, alice);
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        sub: '1',
        role: 'admin',
        username: 'x',
        iss: 'videoforge',
        aud: 'videoforge-api',
        iat: 1,
        exp: 9999999999,
      }),
    ).toString('base64url');
    await expect(
      verifyAccessToken(secret, `${header}.${forgedPayload}.${signature}`),
    ).rejects.toMatchObject({ reason: 'invalid' });

    await expect(verifyAccessToken('y'.repeat(40), token)).rejects.toMatchObject({
      reason: 'invalid',
    });

    const none = new UnsecuredJWT({ role: 'admin', username: 'x' })
      .setSubject('1')
      .setIssuer('videoforge')
      .setAudience('videoforge-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    await expect(verifyAccessToken(secret, none)).rejects.toMatchObject({ reason: 'invalid' });

    const hs512 = await new SignJWT({ role: 'admin', username: 'x' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('1')
      .setIssuer('videoforge')
      .setAudience('videoforge-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(verifyAccessToken(secret, hs512)).rejects.toMatchObject({ reason: 'invalid' });
  });
});

describe('refresh token rotation rules', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const issued = newRefreshToken();
  const row: RefreshTokenRow = {
    id: issued.id,
    userId: '7',
    familyId: 'f',
    tokenHash: issued.hash,
    expiresAt: new Date('2026-01-02T00:00:00Z'),
    familyExpiresAt: new Date('2026-03-01T00:00:00Z'),
    usedAt: null,
    revokedAt: null,
  };

  it('parses its own format only', () => {
    expect(refreshTokenId(issued.token)).toBe(issued.id);
    expect(refreshTokenId('nonsense')).toBeUndefined();
    expect(refreshTokenId(`${issued.id}.short`)).toBeUndefined();
  });

  it('rotates a fresh token, and treats a used or revoked one as reuse', () => {
    expect(judgeRefreshToken(row, issued.hash, now)).toEqual({ kind: 'rotate' });
    expect(judgeRefreshToken({ ...row, usedAt: now }, issued.hash, now)).toEqual({ kind: 'reuse' });
    expect(judgeRefreshToken({ ...row, revokedAt: now }, issued.hash, now)).toEqual({
      kind: 'reuse',
    });
  });

  it('refuses unknown, mismatched and expired tokens', () => {
    expect(judgeRefreshToken(undefined, issued.hash, now)).toEqual({ kind: 'invalid' });
    expect(judgeRefreshToken(row, hashToken('other'), now)).toEqual({ kind: 'invalid' });
    expect(judgeRefreshToken(row, issued.hash, new Date('2026-01-03T00:00:00Z'))).toEqual({
      kind: 'expired',
    });
  });
});
