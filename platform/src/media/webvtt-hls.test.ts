import { describe, expect, it } from 'vitest';
import { CaptionParseError, parseCaptions, renderWebVtt, segmentWebVtt } from './webvtt-hls.ts';

const srt =
  '1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:05,000 --> 00:00:07,000\r\n{\\an8}Across --> the cut\r\n';

describe('parseCaptions', () => {
  it('reads SubRip and WebVTT alike and makes cue text safe for WebVTT', () => {
    expect(parseCaptions(srt)).toEqual([
      { startMs: 1000, endMs: 2500, text: 'Hello' },
      { startMs: 5000, endMs: 7000, text: 'Across -> the cut' },
    ]);
    expect(parseCaptions('WEBVTT\n\n00:00.500 --> 00:01.000 align:start\nHi\n')).toEqual([
      { startMs: 500, endMs: 1000, text: 'Hi', settings: 'align:start' },
    ]);
  });

  it('keeps well-formed cue settings only', () => {
    const [cue] = parseCaptions('WEBVTT\n\n00:00.500 --> 00:01.000 line:0 <b>x</b>\nHi\n');
    expect(cue).toEqual({ startMs: 500, endMs: 1000, text: 'Hi' });
  });

  it('refuses what is not subtitles, and subtitles without a cue', () => {
    expect(() => parseCaptions('just some text')).toThrow(CaptionParseError);
    expect(() => parseCaptions('WEBVTT\n\n')).toThrow(/no subtitle cues/);
  });
});

describe('segmentWebVtt', () => {
  it('cuts cues into HLS segments with X-TIMESTAMP-MAP, repeating a cue that crosses a boundary', () => {
    const { playlist, segments } = segmentWebVtt(parseCaptions(srt), {
      segmentSeconds: 6,
      durationSeconds: 8,
    });
    expect(playlist).toBe(
      [
        '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:6', '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD', '#EXTINF:6.000,', 'segment-00000.vtt', '#EXTINF:2.000,',
        'segment-00001.vtt', '#EXT-X-ENDLIST', '',
      ].join('\n'),
    ); // prettier-ignore
    expect(segments[0]?.content).toBe(
      'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.500\nHello\n\n00:00:05.000 --> 00:00:07.000\nAcross -> the cut\n',
    );
    expect(segments[1]?.content).toContain('00:00:05.000 --> 00:00:07.000');
    expect(segments[1]?.content).not.toContain('Hello');
  });

  it('renders a whole WebVTT file', () => {
    expect(renderWebVtt([{ startMs: 0, endMs: 1000, text: 'a' }])).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na\n',
    );
  });
});
