import { describe, expect, it } from 'vitest';
import { servedContentType, typeOfKey } from './served-content-types.ts';

describe('servedContentType', () => {
  it('serves media, playlists, captions and images as they are', () => {
    for (const type of [
      'video/mp4',
      'audio/mp4',
      'application/vnd.apple.mpegurl',
      'text/vtt',
      'image/jpeg',
    ])
      expect(servedContentType(type)).toEqual({ contentType: type, attachment: false });
  });
  it('turns anything a browser would render as a document into an opaque download', () => {
    for (const type of [
      'text/html',
      'image/svg+xml',
      'application/xhtml+xml',
      'text/javascript',
      undefined,
      'video/mp4<script>',
    ])
      expect(servedContentType(type)).toEqual({
        contentType: 'application/octet-stream',
        attachment: true,
      });
  });
  it('knows the types of the files the platform writes, and nothing else', () => {
    expect(typeOfKey('videos/output/1/360p/index.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(typeOfKey('videos/output/1/poster.jpg')).toBe('image/jpeg');
    expect(typeOfKey('videos/raw/1/evil.html')).toBeUndefined();
    expect(typeOfKey('videos/raw/1.d/noext')).toBeUndefined();
  });
});
