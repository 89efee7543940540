import { describe, expect, it } from 'vitest';
import type { AudioStreamInfo } from '@videoforge/contracts';
import { audioFilter, bcp47, downmixPan, planAudioTracks, trackName } from './audio-tracks.ts';
import { metadataFixture } from '../testing/media.fixtures.ts';
import { planSubtitles } from './subtitles.ts';

const stereo: AudioStreamInfo = { index: 1, codec: 'aac', channels: 2, channelLayout: 'stereo' };

describe('planAudioTracks', () => {
  it('marks the probed main mix default and keeps every other track as an alternate', () => {
    const commentary = { ...stereo, index: 1, title: 'Commentary', language: 'eng' };
    const main = { ...stereo, index: 2, language: 'eng', isDefault: true };
    const plans = planAudioTracks(
      metadataFixture({}, { audio: main, audioTracks: [commentary, main] }),
    );
    expect(plans.map((p) => [p.id, p.source.index, p.name, p.language, p.default])).toEqual([
      ['a0', 1, 'Commentary', 'en', false],
      ['a1', 2, 'English', 'en', true],
    ]);
  });

  it('keeps mono mono at half the stereo bit rate and folds 5.1 to stereo', () => {
    const mono = { ...stereo, index: 1, channels: 1, channelLayout: 'mono' };
    const surround = { ...stereo, index: 2, channels: 6, channelLayout: '5.1(side)' };
    const plans = planAudioTracks(
      metadataFixture({}, { audio: surround, audioTracks: [mono, surround] }),
    );
    expect(plans.map((p) => [p.channels, p.downmix, p.bitrateKbps])).toEqual([
      [1, 'none', 64],
      [2, 'downmixed', 128],
    ]);
  });

  it('falls back to metadata.audio for metadata probed before audioTracks existed', () => {
    expect(planAudioTracks(metadataFixture()).map((p) => p.default)).toEqual([true]);
    expect(planAudioTracks(metadataFixture({}, { audio: null }))).toEqual([]);
  });
});

describe('downmix', () => {
  it('uses the ITU matrix: centre and surrounds at -3 dB, LFE dropped, normalised', () => {
    expect(downmixPan('5.1', 6)).toBe(
      'pan=stereo|FL<1*FL+0.7071*FC+0.7071*BL|FR<1*FR+0.7071*FC+0.7071*BR',
    );
    expect(downmixPan('7.1', 8)).toBe(
      'pan=stereo|FL<1*FL+0.7071*FC+0.7071*BL+0.7071*SL|FR<1*FR+0.7071*FC+0.7071*BR+0.7071*SR',
    );
    // No layout stated: the usual one for the channel count.
    expect(downmixPan(undefined, 6)).toBe(downmixPan('5.1', 6));
    expect(downmixPan('unknown', 11)).toBeUndefined();
  });

  it('pads a late start with silence and resamples to 48 kHz in every chain', () => {
    expect(audioFilter({ ...stereo, channels: 1 })).toBe(
      'aresample=async=1:first_pts=0,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=mono',
    );
    expect(audioFilter({ ...stereo, channels: 11 })).toContain('aresample=ochl=stereo');
  });
});

describe('labels', () => {
  it('turns ISO 639-2 tags into BCP 47 and names tracks for a menu', () => {
    expect(bcp47('ger')).toBe('de');
    expect(bcp47('not a tag!')).toBeUndefined();
    expect(trackName(undefined, 'de', 0)).toBe('German');
    expect(trackName('Kommentar', 'de', 0)).toBe('Kommentar');
    expect(trackName(undefined, undefined, 2)).toBe('Track 3');
  });
});

describe('planSubtitles', () => {
  it('keeps text subtitles and reports image ones as skipped', () => {
    const decision = planSubtitles(
      metadataFixture(
        {},
        {
          subtitles: [
            { index: 2, codec: 'subrip', language: 'fre' },
            { index: 3, codec: 'hdmv_pgs_subtitle', language: 'eng' },
            { index: 4, codec: 'mov_text', forced: true },
            { index: 5, codec: 'dvb_subtitle' },
          ],
        },
      ),
    );
    expect(decision.subtitles.map((s) => [s.id, s.source.index, s.name, s.forced])).toEqual([
      ['s0', 2, 'French', false],
      ['s1', 4, 'Track 2', true],
    ]);
    expect(decision.skipped.map((s) => [s.sourceIndex, s.codec, s.language])).toEqual([
      [3, 'hdmv_pgs_subtitle', 'en'],
      [5, 'dvb_subtitle', undefined],
    ]);
    expect(decision.skipped[0]?.reason).toMatch(/images/);
  });
});
