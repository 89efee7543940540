import { describe, expect, it } from 'vitest';
import { identityFromClaims, isLoopbackHttp } from './oidc-settings.ts';
import { acceptsAudience } from './oidc-verifier.ts';
import { sealedBox } from './sealed-box.ts';

const settings = { clientId: 'web-client', audience: 'urn:videoforge:api' };

describe('acceptsAudience (issue 15, item 12)', () => {
  it('takes tokens naming our client id or extra audience in aud', () => {
    expect(acceptsAudience({ aud: 'web-client' }, settings)).toBe(true);
    expect(acceptsAudience({ aud: ['other', 'urn:videoforge:api'] }, settings)).toBe(true);
    expect(acceptsAudience({ aud: 'web-client', token_use: 'id' }, settings)).toBe(true);
  });

  it("takes Cognito access tokens by client_id, never by aud, and nothing else's", () => {
    expect(acceptsAudience({ token_use: 'access', client_id: 'web-client' }, settings)).toBe(true);
    expect(acceptsAudience({ token_use: 'access', client_id: 'other' }, settings)).toBe(false);
    expect(acceptsAudience({ token_use: 'access', aud: 'web-client' }, settings)).toBe(false);
    expect(acceptsAudience({ client_id: 'web-client' }, settings)).toBe(false);
    expect(acceptsAudience({}, settings)).toBe(false);
    expect(acceptsAudience({ aud: 'other' }, settings)).toBe(false);
    expect(acceptsAudience({ aud: 'web-client', token_use: 'refresh' }, settings)).toBe(false);
    expect(acceptsAudience({ aud: 'x' }, { clientId: 'web-client' })).toBe(false);
  });
});

describe('identityFromClaims', () => {
  const roles = { groupsClaim: 'cognito:groups', adminGroup: 'admin' };
  it("reads Cognito's username and groups", () => {
    expect(
      identityFromClaims(
        {
          sub: 's1',
          'cognito:username': 'olga',
          email: 'o@example.com',
          'cognito:groups': ['admin'],
        },
        roles,
      ),
    ).toEqual({ subject: 's1', username: 'olga', email: 'o@example.com', role: 'admin' });
  });
  it('falls back to names made from the subject, and reads space- or comma-separated groups', () => {
    expect(identityFromClaims({ sub: 's2', 'cognito:groups': 'x,admin' }, roles)).toEqual({
      subject: 's2',
      username: 'oidc-s2',
      email: 's2@oidc.invalid',
      role: 'admin',
    });
    expect(
      identityFromClaims({ sub: 's3', 'cognito:groups': ['administrators'] }, roles).role,
    ).toBe('user');
  });
});

describe('isLoopbackHttp', () => {
  it('allows plain HTTP issuers on this machine only', () => {
    expect(isLoopbackHttp(new URL('http://localhost:9080'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://127.0.0.1:9080'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://[::1]:9080'))).toBe(true);
    expect(isLoopbackHttp(new URL('http://idp.example'))).toBe(false);
    expect(isLoopbackHttp(new URL('http://localhost.example'))).toBe(false);
    expect(isLoopbackHttp(new URL('https://localhost'))).toBe(false);
  });
});

describe('sealedBox', () => {
  const secret = 'a-server-secret-that-is-long-enough-0123456789';
  it('opens what it sealed, for its own purpose only, and refuses tampering', () => {
    const box = sealedBox(secret, 'one');
    const sealed = box.seal('the provider refresh token');
    expect(sealed).not.toContain('provider');
    expect(box.open(sealed)).toBe('the provider refresh token');
    expect(sealedBox(secret, 'two').open(sealed)).toBeUndefined();
    expect(sealedBox(`${secret}x`, 'one').open(sealed)).toBeUndefined();
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = `${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}`;
    expect(box.open([v, iv, tag, flipped].join('.'))).toBeUndefined();
    expect(box.open('garbage')).toBeUndefined();
  });
});
