import { describe, expect, it } from 'vitest';
import { buildSignedUrl, verifySignedRequest } from './signed-url.ts';

const secret = 'a-test-secret-that-is-long-enough-000';
const base = 'http://127.0.0.1:8080/api/storage';
const now = new Date('2026-01-01T00:00:00Z');
const inOneHour = Math.floor(now.getTime() / 1000) + 3600;

function parse(url: string) {
  const u = new URL(url);
  return {
    key: u.pathname.replace('/api/storage/', '').split('/').map(decodeURIComponent).join('/'),
    query: u.searchParams,
  };
}

describe('signed URLs', () => {
  it('round-trips a GET with an encoded key', () => {
    const url = buildSignedUrl(base, secret, {
      key: 'videos/raw/a b#c.mp4',
      operation: { type: 'get' },
      expiresAt: inOneHour,
    });
    expect(url).toContain('/videos/raw/a%20b%23c.mp4?');
    const { key, query } = parse(url);
    expect(verifySignedRequest(secret, 'GET', key, query, now)).toMatchObject({
      ok: true,
      request: { key: 'videos/raw/a b#c.mp4' },
    });
  });

  it('refuses an expired URL', () => {
    const { key, query } = parse(
      buildSignedUrl(base, secret, { key: 'k', operation: { type: 'get' }, expiresAt: inOneHour }),
    );
    expect(
      verifySignedRequest(secret, 'GET', key, query, new Date((inOneHour + 1) * 1000)),
    ).toEqual({
      ok: false,
      status: 403,
      reason: 'URL has expired',
    });
  });

  it('refuses a GET URL used for PUT, another key, a longer expiry or another secret', () => {
    const { key, query } = parse(
      buildSignedUrl(base, secret, { key: 'k', operation: { type: 'get' }, expiresAt: inOneHour }),
    );
    expect(verifySignedRequest(secret, 'PUT', key, query, now)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(verifySignedRequest(secret, 'GET', 'other', query, now)).toMatchObject({
      ok: false,
      status: 403,
    });
    const extended = new URLSearchParams(query);
    extended.set('expires', String(inOneHour + 86_400));
    expect(verifySignedRequest(secret, 'GET', key, extended, now)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(verifySignedRequest(`${secret}x`, 'GET', key, query, now)).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('binds a part URL to its upload and part number', () => {
    const url = buildSignedUrl(base, secret, {
      key: 'k',
      operation: { type: 'part', uploadId: 'u1', partNumber: 3 },
      expiresAt: inOneHour,
    });
    const { key, query } = parse(url);
    expect(verifySignedRequest(secret, 'PUT', key, query, now)).toMatchObject({ ok: true });
    query.set('partNumber', '4');
    expect(verifySignedRequest(secret, 'PUT', key, query, now)).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('binds a PUT or part URL to the body length it was signed for', () => {
    for (const operation of [
      { type: 'put', size: 1000 },
      { type: 'part', uploadId: 'u1', partNumber: 1, size: 1000 },
    ] as const) {
      const { key, query } = parse(
        buildSignedUrl(base, secret, { key: 'k', operation, expiresAt: inOneHour }),
      );
      expect(verifySignedRequest(secret, 'PUT', key, query, now)).toMatchObject({
        ok: true,
        request: { operation: { size: 1000 } },
      });
      query.set('size', '1000000');
      expect(verifySignedRequest(secret, 'PUT', key, query, now)).toMatchObject({ status: 403 });
      query.delete('size');
      expect(verifySignedRequest(secret, 'PUT', key, query, now)).toMatchObject({ status: 403 });
    }
  });

  it('refuses a request without a signature', () => {
    expect(verifySignedRequest(secret, 'GET', 'k', new URLSearchParams(), now)).toMatchObject({
      ok: false,
      status: 400,
    });
  });
});
