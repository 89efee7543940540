import { describe, expect, it } from 'vitest';
import { describeSource, inputSafetyOptions, urlSource } from './source-input.ts';

describe('urlSource', () => {
  it('confines a URL to its own scheme', () => {
    expect(urlSource('https://s3.example/v/a.mp4?X-Amz-Signature=abc').protocols).toEqual([
      'https',
      'tls',
      'tcp',
    ]);
    expect(urlSource('http://127.0.0.1:9000/v/a.mp4').protocols).toEqual(['http', 'tcp']);
  });
});

describe('inputSafetyOptions', () => {
  it('whitelists only file access and container demuxers for local sources', () => {
    expect(inputSafetyOptions({ kind: 'file', path: '/x.mp4', protocols: ['file'] })).toEqual([
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,ogg,mxf',
    ]);
  });

  it('verifies certificates and bounds stalls for https', () => {
    const options = inputSafetyOptions({
      kind: 'url',
      url: 'https://s3/x',
      protocols: ['https', 'tls', 'tcp'],
    });
    expect(options).toEqual(
      expect.arrayContaining([
        '-protocol_whitelist',
        'https,tls,tcp',
        '-tls_verify',
        '1',
        '-rw_timeout',
        '30000000',
      ]),
    );
    const loopback = inputSafetyOptions({
      kind: 'url',
      url: 'http://127.0.0.1/x',
      protocols: ['http', 'tcp'],
    });
    expect(loopback).not.toContain('-tls_verify');
  });
});

describe('describeSource', () => {
  it('drops the presigned query string', () => {
    expect(
      describeSource({
        kind: 'url',
        url: 'https://s3.example/v/a.mp4?X-Amz-Signature=secret',
        protocols: ['https'],
      }),
    ).toBe('https://s3.example/v/a.mp4');
  });
});
