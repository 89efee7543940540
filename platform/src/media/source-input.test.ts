import { describe, expect, it } from 'vitest';
import {
  describeSource,
  inputSafetyOptions,
  urlSource,
  withoutUrlCredentials,
} from './source-input.ts';

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

describe('withoutUrlCredentials', () => {
  it('drops the query (a presigned signature) from every URL in a message', () => {
    const line =
      "ffmpeg-failed: https://bucket.s3.amazonaws.com/videos/raw/1/a.mp4?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc: Server returned 403 Forbidden (access denied) and 'http://127.0.0.1:8080/api/storage/k?sig=1#x'";
    expect(withoutUrlCredentials(line)).toBe(
      "ffmpeg-failed: https://bucket.s3.amazonaws.com/videos/raw/1/a.mp4 Server returned 403 Forbidden (access denied) and 'http://127.0.0.1:8080/api/storage/k'",
    );
  });

  it('leaves text without URLs alone', () => {
    expect(withoutUrlCredentials('moov atom not found')).toBe('moov atom not found');
  });
});
