import { describe, expect, it } from 'vitest';
import { ownSizeRenditionName, renditionsForSource } from './source-renditions.ts';

describe('renditionsForSource', () => {
  it('gives a source below the lowest rendition one own-size rendition, whatever was picked', () => {
    expect(renditionsForSource(320, 240)).toEqual(['240p']);
    expect(renditionsForSource(160, 120, ['360p'])).toEqual(['120p']);
    expect(renditionsForSource(241, 321, ['720p', '360p'])).toEqual(['240p']);
    expect(ownSizeRenditionName(321, 241)).toBe('240p');
  });

  it('keeps the ladder (or the pick) for sources that fill a rendition', () => {
    expect(renditionsForSource(1280, 720)).toEqual(['720p', '480p', '360p']);
    expect(renditionsForSource(640, 360, ['360p'])).toEqual(['360p']);
  });
});
