import HLS from 'hls-parser';
import { describe, expect, it } from 'vitest';
import {
  renderMasterPlaylist,
  withSubtitleRenditions,
  type AudioTrackManifest,
  type RenditionManifest,
  type SubtitleTrackManifest,
} from '@videoforge/contracts';

const rendition = (name: string, height: number, bandwidth: number): RenditionManifest => ({
  version: 1,
  name,
  width: Math.round((height * 16) / 9),
  height,
  frameRate: { num: 25, den: 1 },
  codecs: 'avc1.64001f',
  hasAudio: false,
  videoBitrateKbps: 1000,
  bandwidth,
  averageBandwidth: bandwidth - 100_000,
  durationSeconds: 4,
  playlist: 'index.m3u8',
  mp4: `${name}.mp4`,
  segmentCount: 1,
  bytes: 1,
});

const audio = (
  id: string,
  name: string,
  isDefault: boolean,
  channels: 1 | 2,
): AudioTrackManifest => ({
  id,
  sourceIndex: Number(id.slice(1)) + 1,
  sourceCodec: 'aac',
  sourceChannels: channels,
  language: 'en',
  name,
  default: isDefault,
  channels,
  downmix: 'none',
  codecs: 'mp4a.40.2',
  bitrateKbps: 128,
  bandwidth: 140_000,
  averageBandwidth: 130_000,
  playlist: `tracks/${id}/index.m3u8`,
  durationSeconds: 4,
  bytes: 1,
});

const subtitle = (id: string, name: string, language: string): SubtitleTrackManifest => ({
  id,
  sourceCodec: 'subrip',
  language,
  name,
  default: false,
  forced: false,
  playlist: `tracks/${id}/index.m3u8`,
  cueCount: 2,
});

function parseMaster(text: string): HLS.types.MasterPlaylist {
  const parsed = HLS.parse(text);
  if (!(parsed instanceof HLS.types.MasterPlaylist)) throw new Error('not a master playlist');
  return parsed;
}

describe('master playlist with alternate audio and subtitles', () => {
  const text = renderMasterPlaylist(
    [rendition('720p', 720, 2_000_000), rendition('360p', 360, 700_000)],
    {
      audio: [audio('a0', "Director's commentary", false, 2), audio('a1', 'Main', true, 2)],
      subtitles: [subtitle('s0', 'French', 'fr')],
    },
  );
  const master = parseMaster(text);

  it('puts every audio track in one group with exactly one DEFAULT, referenced by every variant', () => {
    expect(master.variants).toHaveLength(2);
    for (const variant of master.variants) {
      expect(variant.codecs).toBe('avc1.64001f,mp4a.40.2');
      expect(
        variant.audio.map((a) => [a.groupId, a.name, a.isDefault, a.autoselect, a.language, a.uri]),
      ).toEqual([
        ['audio', 'Director’s commentary', false, true, 'en', 'tracks/a0/index.m3u8'],
        ['audio', 'Main', true, true, 'en', 'tracks/a1/index.m3u8'],
      ]);
      expect(variant.subtitles.map((s) => [s.groupId, s.name, s.language])).toEqual([
        ['subs', 'French', 'fr'],
      ]);
    }
    // The audio rendition's peak is part of each variant's bandwidth.
    expect(master.variants.map((v) => v.bandwidth)).toEqual([2_140_000, 840_000]);
  });

  it('adds sidecar captions to a finished master without touching the rest', () => {
    const withCaptions = parseMaster(
      withSubtitleRenditions(text, [
        subtitle('c7', 'French', 'fr'),
        subtitle('c8', 'English', 'en'),
      ]),
    );
    expect(withCaptions.variants[0]?.subtitles.map((s) => [s.name, s.uri])).toEqual([
      ['French', 'tracks/s0/index.m3u8'],
      ['French (2)', 'tracks/c7/index.m3u8'],
      ['English', 'tracks/c8/index.m3u8'],
    ]);
    const bare = parseMaster(
      withSubtitleRenditions(renderMasterPlaylist([rendition('360p', 360, 700_000)]), [
        subtitle('c1', 'English', 'en'),
      ]),
    );
    expect(bare.variants[0]?.subtitles.map((s) => s.groupId)).toEqual(['subs']);
    expect(bare.variants[0]?.audio).toEqual([]);
  });
});
