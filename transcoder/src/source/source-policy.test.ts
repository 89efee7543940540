import { describe, expect, it } from 'vitest';
import { resolveSource } from './source-policy.ts';

const policy = { allowLoopbackHttp: false, localRoots: ['/var/lib/videoforge/storage'] };

describe('resolveSource', () => {
  it('accepts a presigned https URL with the https-only whitelist', () => {
    const url = 'https://bucket.s3.eu-west-1.amazonaws.com/videos/raw/a.mp4?X-Amz-Signature=abc';
    expect(resolveSource(url, policy)).toEqual({
      ok: true,
      source: { kind: 'url', url, protocols: ['https', 'tls', 'tcp'] },
    });
  });

  it('accepts plain http only on loopback and only when enabled', () => {
    expect(resolveSource('http://127.0.0.1:9000/a.mp4', policy)).toMatchObject({ ok: false });
    expect(
      resolveSource('http://127.0.0.1:9000/a.mp4', { ...policy, allowLoopbackHttp: true }),
    ).toEqual({
      ok: true,
      source: { kind: 'url', url: 'http://127.0.0.1:9000/a.mp4', protocols: ['http', 'tcp'] },
    });
    expect(
      resolveSource('http://example.com/a.mp4', { ...policy, allowLoopbackHttp: true }),
    ).toMatchObject({ ok: false });
  });

  it('accepts files only inside a configured directory', () => {
    expect(resolveSource('/var/lib/videoforge/storage/objects/videos/raw/a.mp4', policy)).toEqual({
      ok: true,
      source: {
        kind: 'file',
        path: '/var/lib/videoforge/storage/objects/videos/raw/a.mp4',
        protocols: ['file'],
      },
    });
    expect(resolveSource('/var/lib/videoforge/storage/../../../etc/passwd', policy)).toMatchObject({
      ok: false,
    });
    expect(resolveSource('/var/lib/videoforge/storage-evil/a.mp4', policy)).toMatchObject({
      ok: false,
    });
    expect(resolveSource('/etc/passwd', policy)).toMatchObject({ ok: false });
  });

  it.each([
    'file:///etc/passwd',
    'ftp://example.com/a.mp4',
    'data:video/mp4;base64,AAAA',
    'concat:/a.mp4|/b.mp4',
    'subfile,,start,0,end,0,,:/etc/passwd',
    'relative/path.mp4',
    'https://user:secret@example.com/a.mp4',
  ])('refuses %s', (raw) => {
    expect(resolveSource(raw, { ...policy, allowLoopbackHttp: true })).toMatchObject({ ok: false });
  });
});
