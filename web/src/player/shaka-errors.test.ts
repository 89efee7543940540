// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import shakaModule from 'shaka-player/dist/shaka-player.compiled-es2021.js';
import {
  isShakaFailure,
  shakaErrorMessage,
  ShakaCategory,
  ShakaCode,
  ShakaRequestType,
  ShakaSeverity,
} from './shaka-errors.ts';

// The real library's errors, as its player hands them to the engine.
const shaka =
  shakaModule as unknown as (typeof import('shaka-player/dist/shaka-player.compiled-es2021.js'))['default'];
const { Severity, Category, Code } = shaka.util.Error;
const error = (severity: number, category: number, code: number, ...data: unknown[]) =>
  new shaka.util.Error(severity, category, code, ...data);

describe('Shaka errors', () => {
  it('uses the library’s own severity, category and code numbers', () => {
    expect(ShakaSeverity).toEqual({
      RECOVERABLE: Severity.RECOVERABLE,
      CRITICAL: Severity.CRITICAL,
    });
    for (const [name, value] of Object.entries(ShakaCategory))
      expect(value, name).toBe(Category[name as keyof typeof Category]);
    for (const [name, value] of Object.entries(ShakaCode))
      expect(value, name).toBe(Code[name as keyof typeof Code]);
    const { RequestType } = shaka.net.NetworkingEngine;
    for (const [name, value] of Object.entries(ShakaRequestType))
      expect(value, name).toBe(RequestType[name as keyof typeof RequestType]);
  });

  it('tells a segment storage lost from a manifest not published yet', () => {
    // BAD_HTTP_STATUS data: [uri, status, responseText, headers, requestType, responseURI].
    const notFound = (requestType: number) =>
      shakaErrorMessage(
        error(
          Severity.CRITICAL,
          Category.NETWORK,
          Code.BAD_HTTP_STATUS,
          '/videos/output/1/480p-av1/init.mp4',
          404,
          '',
          {},
          requestType,
        ),
      );
    expect(notFound(shaka.net.NetworkingEngine.RequestType.SEGMENT)).toBe(
      'Part of this video is missing from storage (a segment answered 404). Reload the page; if it stays, the owner can transcode it again.',
    );
    expect(notFound(shaka.net.NetworkingEngine.RequestType.MANIFEST)).toBe(
      'This video has no playable renditions yet.',
    );
  });

  it('tells a missing stream, a refused one and a lost connection apart', () => {
    const httpStatus = (status: number) =>
      shakaErrorMessage(
        error(Severity.CRITICAL, Category.NETWORK, Code.BAD_HTTP_STATUS, '/m.mpd', status),
      );
    expect(httpStatus(404)).toBe('This video has no playable renditions yet.');
    expect(httpStatus(403)).toBe(
      'You are not allowed to watch this video. Sign in and reload the page.',
    );
    expect(httpStatus(503)).toBe(
      'The stream could not be loaded. Check your connection and reload the page.',
    );
    expect(shakaErrorMessage(error(Severity.CRITICAL, Category.NETWORK, Code.HTTP_ERROR))).toBe(
      'The stream could not be loaded. Check your connection and reload the page.',
    );
  });

  it('names a broken manifest, an unplayable format and a decoding failure', () => {
    expect(
      shakaErrorMessage(error(Severity.CRITICAL, Category.MANIFEST, Code.DASH_INVALID_XML)),
    ).toBe("The stream's manifest could not be read (Shaka error 4001).");
    expect(
      shakaErrorMessage(
        error(Severity.CRITICAL, Category.MANIFEST, Code.CONTENT_UNSUPPORTED_BY_BROWSER),
      ),
    ).toBe('This browser cannot play any of the formats of this video.');
    expect(shakaErrorMessage(error(Severity.CRITICAL, Category.MEDIA, Code.VIDEO_ERROR))).toBe(
      'Playback failed (Shaka media error 3016).',
    );
  });

  it('leaves retried errors and interrupted loads to Shaka', () => {
    expect(
      isShakaFailure(error(Severity.RECOVERABLE, Category.NETWORK, Code.BAD_HTTP_STATUS)),
    ).toBe(false);
    expect(isShakaFailure(error(Severity.CRITICAL, Category.PLAYER, Code.LOAD_INTERRUPTED))).toBe(
      false,
    );
    expect(isShakaFailure(error(Severity.CRITICAL, Category.MEDIA, Code.VIDEO_ERROR))).toBe(true);
  });
});
