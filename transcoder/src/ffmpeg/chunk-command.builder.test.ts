import { describe, expect, it } from 'vitest';
import type { SourceInput } from '@videoforge/platform/media';
import { planLadder } from '../plan/ladder.ts';
import { metadataFixture } from '../testing/media.fixtures.ts';
import {
  buildChunkCommand,
  delayFromFramecrc,
  encoderDelayCommand,
  segmentFramesOf,
} from './chunk-command.builder.ts';
import type { EncodeInput } from './ffmpeg-command.builder.ts';

const source: SourceInput = { kind: 'file', path: '/data/raw/clip.mp4', protocols: ['file'] };
const metadata = metadataFixture({ bitRateKbps: 3000 });
const plan = planLadder(metadata, { keyframeIntervalSeconds: 2 });
const input: EncodeInput = {
  source,
  metadata,
  plan,
  settings: { preset: 'veryfast', av1Preset: 10, segmentSeconds: 6, rateControl: { mode: 'abr' } },
};
const rendition = (name: string) => {
  const found = plan.renditions.find((r) => r.name === name);
  if (!found) throw new Error(name);
  return found;
};

describe('buildChunkCommand', () => {
  // The fixture is 25 fps: a 2 s GOP is 50 frames, a 6 s segment 150.
  const window = { startSegment: 4, segmentCount: 3, segmentFrames: segmentFramesOf(50, 6, 2) };
  const command = buildChunkCommand(
    input,
    [
      { rendition: rendition('720p'), dir: '/work/c/720p' },
      { rendition: rendition('360p'), dir: '/work/c/360p' },
    ],
    window,
    [2, 2],
  );

  it('seeks accurately to a quarter frame before its first frame (segment 4 = frame 600 = 24 s)', () => {
    expect(command.inputOptions.slice(-3)).toEqual(['-accurate_seek', '-ss', '23.990000']);
  });

  it('decodes once and splits into every rendition', () => {
    expect(command.complexFilter).toBe(
      '[0:0]fps=25,split=2[s0][s1];' +
        '[s0]scale=1280:720,setsar=1,format=yuv420p[v0];' +
        '[s1]scale=640:360,setsar=1,format=yuv420p[v1]',
    );
  });

  it('encodes exactly its frames, placed on the title timeline, into globally numbered segments', () => {
    const options = command.outputs[0]?.options ?? [];
    const after = (flag: string) => options[options.indexOf(flag) + 1];
    expect(after('-frames:v')).toBe('450');
    // 24 s plus the encoder's two-frame reorder delay (what the first chunk's muxer adds).
    expect(after('-output_ts_offset')).toBe('24.080000');
    expect(after('-start_number')).toBe('4');
    expect(after('-hls_segment_options')).toBe('movflags=+frag_discont');
    expect(after('-hls_segment_filename')).toBe('/work/c/720p/segment-%05d.m4s');
    expect(options).toContain('-an');
    expect(command.outputs[0]?.target).toBe('/work/c/720p/index.m3u8');
  });

  it('starts the first chunk at frame 0 without a negative seek', () => {
    const first = buildChunkCommand(
      input,
      [{ rendition: rendition('360p'), dir: '/work/c/360p' }],
      { ...window, startSegment: 0 },
      [0],
    );
    expect(first.inputOptions.slice(-2)).toEqual(['-ss', '0.000000']);
  });
});

describe('the encoder delay probe', () => {
  it('encodes a few small black frames with the rendition’s encoder', () => {
    const command = encoderDelayCommand(input, rendition('360p'), '/work/c/delay.framecrc');
    expect(command.input).toBe('color=c=black:s=256x144:r=25');
    expect(command.outputs[0]?.options).toContain('libx264');
    expect(command.outputs[0]?.target).toBe('file:/work/c/delay.framecrc');
  });

  it('reads the reorder delay from the first packet', () => {
    expect(
      delayFromFramecrc(
        '#tb 0: 1/25\n0,         -2,          0,        1,      820, 0xf2940ceb, S=1,        8\n',
      ),
    ).toBe(2);
    expect(delayFromFramecrc('#tb 0: 1/25\n0,          0,          0,        1,  48, 0x5\n')).toBe(
      0,
    );
    expect(delayFromFramecrc('#tb 0: 1/25\n')).toBeUndefined();
  });
});
