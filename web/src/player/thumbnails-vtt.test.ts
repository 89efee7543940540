import { describe, expect, it } from 'vitest';
import { cueAt, parseThumbnailsVtt } from './thumbnails-vtt.ts';
import { playerActionFor } from './keyboard.ts';

const vtt = `WEBVTT

00:00:00.000 --> 00:00:01.000
https://storage.test/sprite.jpg?sig=abc#xywh=0,0,160,90

00:00:01.000 --> 00:00:02.000
https://storage.test/sprite.jpg?sig=abc#xywh=160,0,160,90

garbage --> here
sprite.jpg#xywh=1,2,3

01:00:02.000 --> 01:00:02.500
sprite.jpg#xywh=0,90,160,90
`;

describe('WebVTT thumbnails', () => {
  const cues = parseThumbnailsVtt(vtt, 'https://api.test/api/stream/1/thumbnails.vtt');

  it('parses sprite rectangles and resolves relative URLs, skipping bad cues', () => {
    expect(cues).toEqual([
      {
        start: 0,
        end: 1,
        url: 'https://storage.test/sprite.jpg?sig=abc',
        x: 0,
        y: 0,
        width: 160,
        height: 90,
      },
      {
        start: 1,
        end: 2,
        url: 'https://storage.test/sprite.jpg?sig=abc',
        x: 160,
        y: 0,
        width: 160,
        height: 90,
      },
      {
        start: 3602,
        end: 3602.5,
        url: 'https://api.test/api/stream/1/sprite.jpg',
        x: 0,
        y: 90,
        width: 160,
        height: 90,
      },
    ]);
  });

  it('finds the cue for a time', () => {
    expect(cueAt(cues, 0.5)?.x).toBe(0);
    expect(cueAt(cues, 1)?.x).toBe(160);
    expect(cueAt(cues, 2.5)).toBeUndefined();
    expect(cueAt(cues, 9999)?.y).toBe(90);
    expect(cueAt([], 1)).toBeUndefined();
  });

  it('refuses text that is not WebVTT', () => {
    expect(parseThumbnailsVtt('<html>', 'https://x.test/')).toEqual([]);
  });
});

describe('player keys', () => {
  it.each([
    [' ', { type: 'toggle-play' }],
    ['k', { type: 'toggle-play' }],
    ['ArrowLeft', { type: 'seek-by', seconds: -5 }],
    ['l', { type: 'seek-by', seconds: 10 }],
    ['ArrowUp', { type: 'volume-by', delta: 0.1 }],
    ['m', { type: 'toggle-mute' }],
    ['f', { type: 'toggle-fullscreen' }],
    ['5', { type: 'seek-to-fraction', fraction: 0.5 }],
    ['End', { type: 'seek-to-end' }],
    ['x', undefined],
  ])('%j', (key, action) => {
    expect(playerActionFor({ key })).toEqual(action);
  });

  it('leaves browser shortcuts alone', () => {
    expect(playerActionFor({ key: 'f', ctrlKey: true })).toBeUndefined();
  });
});
