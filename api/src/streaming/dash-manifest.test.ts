import { parse } from 'mpd-parser';
import { describe, expect, it } from 'vitest';
import {
  codecFamilyOf,
  renderDashManifest,
  videoAdaptationSets,
  type DashSegmentList,
  type DashVideoRepresentation,
} from './dash-manifest.ts';

const list = (name: string, durations: number[]): DashSegmentList => ({
  initialization: `https://storage.example/${name}/init.mp4?X-Amz-Signature=i&X-Amz-Expires=900`,
  segments: durations.map((durationSeconds, i) => ({
    url: `https://storage.example/${name}/segment-0000${i}.m4s?X-Amz-Signature=${i}&X-Amz-Expires=900`,
    durationSeconds,
  })),
});
const video = (
  id: string,
  overrides: Partial<DashVideoRepresentation> = {},
): DashVideoRepresentation => ({
  id,
  codecs: 'avc1.64001f',
  width: 1280,
  height: 720,
  frameRate: { num: 25, den: 1 },
  bandwidth: 2_400_000,
  segmentList: list(id, [6, 6, 2.04]),
  ...overrides,
});

describe('renderDashManifest', () => {
  it('writes a static MPD whose SegmentList timeline and signed URLs players read back exactly', () => {
    const xml = renderDashManifest({
      video: [video('360p', { width: 640, height: 360, bandwidth: 700_000 })],
      audio: [
        {
          id: 'a0',
          codecs: 'mp4a.40.2',
          bandwidth: 140_000,
          channels: 2,
          language: 'en',
          label: 'English',
          main: true,
          segmentList: list('a0', [6.005333, 6.005333, 2.090666]),
        },
      ],
      text: [],
    });
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-main:2011" type="static" mediaPresentationDuration="PT14.040S" minBufferTime="PT7.000S">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="640" maxHeight="360">
      <Representation id="360p" codecs="avc1.64001f" width="640" height="360" frameRate="25" bandwidth="700000">
        <SegmentList timescale="1000">
          <Initialization sourceURL="https://storage.example/360p/init.mp4?X-Amz-Signature=i&amp;X-Amz-Expires=900"/>
          <SegmentTimeline>
            <S t="0" d="6000" r="1"/>
            <S d="2040"/>
          </SegmentTimeline>
          <SegmentURL media="https://storage.example/360p/segment-00000.m4s?X-Amz-Signature=0&amp;X-Amz-Expires=900"/>
          <SegmentURL media="https://storage.example/360p/segment-00001.m4s?X-Amz-Signature=1&amp;X-Amz-Expires=900"/>
          <SegmentURL media="https://storage.example/360p/segment-00002.m4s?X-Amz-Signature=2&amp;X-Amz-Expires=900"/>
        </SegmentList>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="en" segmentAlignment="true" startWithSAP="1">
      <Label>English</Label>
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
      <Representation id="a0" codecs="mp4a.40.2" bandwidth="140000">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
        <SegmentList timescale="1000">
          <Initialization sourceURL="https://storage.example/a0/init.mp4?X-Amz-Signature=i&amp;X-Amz-Expires=900"/>
          <SegmentTimeline>
            <S t="0" d="6005"/>
            <S d="6006"/>
            <S d="2090"/>
          </SegmentTimeline>
          <SegmentURL media="https://storage.example/a0/segment-00000.m4s?X-Amz-Signature=0&amp;X-Amz-Expires=900"/>
          <SegmentURL media="https://storage.example/a0/segment-00001.m4s?X-Amz-Signature=1&amp;X-Amz-Expires=900"/>
          <SegmentURL media="https://storage.example/a0/segment-00002.m4s?X-Amz-Signature=2&amp;X-Amz-Expires=900"/>
        </SegmentList>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`);
    const parsed = parse(xml, { manifestUri: 'https://api.example/api/stream/1/manifest.mpd' });
    expect(parsed.duration).toBeCloseTo(14.04, 6);
    const [rendition] = parsed.playlists;
    const expected = list('360p', [6, 6, 2.04]);
    expect(rendition?.segments.map((s) => [s.resolvedUri, s.duration])).toEqual(
      expected.segments.map((s) => [s.url, s.durationSeconds]),
    );
    expect(rendition?.segments[0]?.map?.resolvedUri).toBe(expected.initialization);
    // Rounded from the running total: the audio still adds up to its 14.101332 s.
    const audio = parsed.mediaGroups.AUDIO.audio?.English?.playlists[0];
    expect(audio?.segments.reduce((sum, s) => sum + s.duration, 0)).toBeCloseTo(14.101, 6);
  });

  it('puts each codec family and dynamic range in its own adaptation set, H.264 SDR first', () => {
    const sets = videoAdaptationSets([
      video('720p-hdr', { codecs: 'hvc1.2.4.L93.B0', videoRange: 'PQ', bandwidth: 1_800_000 }),
      video('360p', { height: 360, width: 640, bandwidth: 700_000 }),
      video('720p', { videoRange: 'SDR' }),
      video('720p-av1', { codecs: 'av01.0.05M.08', bandwidth: 1_200_000 }),
      video('mystery', { codecs: 'xyz1.2' }),
    ]);
    expect(sets.map((s) => [s.family, s.videoRange, s.representations.map((r) => r.id)])).toEqual([
      ['h264', 'SDR', ['720p', '360p']],
      ['hevc', 'PQ', ['720p-hdr']],
      ['av1', 'SDR', ['720p-av1']],
    ]);
    expect(codecFamilyOf('avc1.64001f,mp4a.40.2')).toBe('h264');
    expect(codecFamilyOf('mp4a.40.2,hev1.2.4.L120.B0')).toBe('hevc');
    expect(codecFamilyOf('mp4a.40.2')).toBeUndefined();
  });

  it('signals HDR colour (BT.2020, PQ or HLG) on the HDR set, and NTSC rates as fractions', () => {
    const xml = renderDashManifest({
      video: [
        video('1080p', { frameRate: { num: 30000, den: 1001 } }),
        video('1080p-hdr', { codecs: 'hvc1.2.4.L123.B0', videoRange: 'HLG' }),
      ],
      audio: [],
      text: [],
    });
    const hdrSet = xml.slice(xml.indexOf('<AdaptationSet id="1"'));
    expect(hdrSet).toContain(
      '<SupplementalProperty schemeIdUri="urn:mpeg:mpegB:cicp:TransferCharacteristics" value="18"/>',
    );
    expect(xml.slice(0, xml.indexOf('<AdaptationSet id="1"'))).not.toContain(
      'SupplementalProperty',
    );
    expect(xml).toContain('frameRate="30000/1001"');
    const parsed = parse(xml);
    expect(parsed.playlists.map((p) => [p.attributes.NAME, p.attributes.CODECS])).toEqual([
      ['1080p', 'avc1.64001f'],
      ['1080p-hdr', 'hvc1.2.4.L123.B0'],
    ]);
    expect(parsed.playlists[0]?.attributes['FRAME-RATE']).toBeCloseTo(29.97, 2);
  });

  it('offers each WebVTT subtitle as a sidecar text set, labels escaped', () => {
    const xml = renderDashManifest({
      video: [video('720p')],
      audio: [],
      text: [
        {
          id: 's0',
          language: 'fr',
          label: 'Français <SDH> & "forced"',
          forced: true,
          url: 'https://storage.example/tracks/s0/subtitles.vtt?a=1&b=2',
        },
      ],
    });
    expect(xml).toContain('<Label>Français &lt;SDH&gt; &amp; "forced"</Label>');
    expect(xml).toContain('<Role schemeIdUri="urn:mpeg:dash:role:2011" value="forced-subtitle"/>');
    const subtitles = parse(xml).mediaGroups.SUBTITLES.subs;
    const track = subtitles?.['Français <SDH> & "forced"'];
    expect(track?.language).toBe('fr');
    expect(track?.playlists[0]?.resolvedUri).toBe(
      'https://storage.example/tracks/s0/subtitles.vtt?a=1&b=2',
    );
  });

  it('refuses a presentation without a playable video representation', () => {
    expect(() =>
      renderDashManifest({ video: [video('x', { codecs: 'xyz1' })], audio: [], text: [] }),
    ).toThrow(/at least one video representation/);
  });
});
