import { describe, expect, it } from 'vitest';
import {
  buildLadderCommand,
  buildPosterCommand,
  buildRenditionCommand,
  buildSpriteCommand,
  toArgv,
  type EncodeInput,
} from './ffmpeg-command.builder.ts';
import { toFluentCommand } from './ffmpeg.runner.ts';
import type { RateControl } from './rate-control.ts';
import { hdrTwin } from '../plan/hdr-variant.ts';
import { familyTwin } from '../plan/codec-family-variant.ts';
import { planLadder } from '../plan/ladder.ts';
import { metadataFixture } from '../testing/media.fixtures.ts';
import type { SourceInput } from '@videoforge/platform/media';
import { planPoster, planSprite } from '../output/thumbnails.ts';

const fileSource: SourceInput = { kind: 'file', path: '/data/raw/clip.mp4', protocols: ['file'] };
const urlSource: SourceInput = {
  kind: 'url',
  url: 'https://bucket.s3.amazonaws.com/videos/raw/clip.mp4?X-Amz-Signature=abc',
  protocols: ['https', 'tls', 'tcp'],
};
const metadata = metadataFixture({ bitRateKbps: 3000 });
const plan = planLadder(metadata, { keyframeIntervalSeconds: 2 });
const ABR: RateControl = { mode: 'abr' };
const input = (source: SourceInput, rateControl: RateControl = ABR): EncodeInput => ({
  source,
  metadata,
  plan,
  settings: { preset: 'veryfast', av1Preset: 10, segmentSeconds: 6, rateControl },
});
const rendition = (name: string) => {
  const found = plan.renditions.find((r) => r.name === name);
  if (!found) throw new Error(name);
  return found;
};

const FORMATS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,ogg,mxf';
const encode720 = [
  '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high',
  '-b:v', '2000k', '-maxrate', '2000k', '-bufsize', '4000k',
  '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
  '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
  '-an',
  '-flags', '+global_header', '-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn', '-f', 'tee',
]; // prettier-ignore
const tee720 =
  '[f=hls:hls_time=6:hls_playlist_type=event:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4:' +
  'hls_segment_filename=/work/job/720p/segment-%05d.m4s:hls_flags=independent_segments+temp_file]/work/job/720p/index.m3u8' +
  '|[f=mp4:movflags=+faststart]/work/job/720p/720p.mp4';

describe('buildRenditionCommand', () => {
  it('builds one rendition from a local file with the file-only whitelist', () => {
    const command = buildRenditionCommand(input(fileSource), {
      rendition: rendition('720p'),
      dir: '/work/job/720p',
    });
    expect(command).toEqual({
      input: 'file:/data/raw/clip.mp4',
      inputOptions: [
        '-hide_banner', '-nostats', '-loglevel', 'error', '-progress', 'pipe:2',
        '-protocol_whitelist', 'file', '-format_whitelist', FORMATS,
      ],
      outputs: [
        {
          target: tee720,
          options: ['-map', '0:0', '-vf', 'fps=25,scale=1280:720,setsar=1,format=yuv420p', ...encode720],
        },
      ],
    }); // prettier-ignore
  });

  it('encodes video only: the audio tracks are renditions of their own, encoded once', () => {
    const command = buildRenditionCommand(input(fileSource), {
      rendition: { ...rendition('720p'), audioBitrateKbps: 96 },
      dir: '/work/job/720p',
    });
    const options = command.outputs[0]?.options ?? [];
    expect(options).toContain('-an');
    expect(options).not.toContain('-c:a');
    expect(options.filter((o) => o === '-map')).toHaveLength(1);
  });

  it('caps the rendition at the source bit rate', () => {
    const command = buildRenditionCommand(input(fileSource), {
      rendition: rendition('1080p'),
      dir: '/work/job/1080p',
    });
    const options = command.outputs[0]?.options ?? [];
    expect(options.slice(options.indexOf('-b:v'), options.indexOf('-b:v') + 6)).toEqual([
      '-b:v',
      '3000k',
      '-maxrate',
      '3000k',
      '-bufsize',
      '6000k',
    ]);
  });

  it('drops audio cleanly for a silent source', () => {
    const silent = metadataFixture({}, { audio: null });
    const silentPlan = planLadder(silent, { keyframeIntervalSeconds: 2 });
    const command = buildRenditionCommand(
      {
        source: fileSource,
        metadata: silent,
        plan: silentPlan,
        settings: { preset: 'veryfast', av1Preset: 10, segmentSeconds: 6, rateControl: ABR },
      },
      { rendition: silentPlan.renditions[0] ?? rendition('1080p'), dir: '/work/job/1080p' },
    );
    const options = command.outputs[0]?.options ?? [];
    expect(options).toContain('-an');
    expect(options).not.toContain('-c:a');
    expect(options.filter((o) => o === '-map')).toHaveLength(1);
  });

  it('refuses an output directory the tee syntax would misread', () => {
    expect(() =>
      buildRenditionCommand(input(fileSource), {
        rendition: rendition('720p'),
        dir: '/work/a:b|c',
      }),
    ).toThrow(/unsafe/);
  });
});

describe('buildLadderCommand', () => {
  it('decodes once from a URL, splits, and gives every rendition the same GOP', () => {
    const outputs = ['720p', '360p'].map((name) => ({
      rendition: rendition(name),
      dir: `/work/job/${name}`,
    }));
    const command = buildLadderCommand(input(urlSource), outputs);
    expect(command.input).toBe(urlSource.url);
    expect(command.inputOptions).toEqual([
      '-hide_banner', '-nostats', '-loglevel', 'error', '-progress', 'pipe:2',
      '-protocol_whitelist', 'https,tls,tcp', '-format_whitelist', FORMATS,
      '-tls_verify', '1', '-rw_timeout', '30000000',
      '-reconnect', '1', '-reconnect_on_network_error', '1', '-reconnect_delay_max', '5',
    ]); // prettier-ignore
    expect(command.complexFilter).toBe(
      '[0:0]fps=25,split=2[s0][s1];[s0]scale=1280:720,setsar=1,format=yuv420p[v0];[s1]scale=640:360,setsar=1,format=yuv420p[v1]',
    );
    expect(command.outputs[0]).toEqual({
      target: tee720,
      options: ['-map', '[v0]', ...encode720],
    });
    expect(command.outputs[1]?.options).toEqual(
      expect.arrayContaining([
        '-map',
        '[v1]',
        '-b:v',
        '600k',
        '-g',
        '50',
        '-keyint_min',
        '50',
        '-sc_threshold',
        '0',
      ]),
    );
  });
});

describe('rate control', () => {
  const crf23: RateControl = { mode: 'cappedCrf', crf: 23 };
  const crfEncode720 = [
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high',
    '-crf', '23', '-maxrate', '2000k', '-bufsize', '4000k',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
    '-an',
    '-flags', '+global_header', '-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn', '-f', 'tee',
  ]; // prettier-ignore

  it('capped CRF replaces the target bit rate with a quality, under the same cap and buffer', () => {
    const command = buildRenditionCommand(input(fileSource, crf23), {
      rendition: rendition('720p'),
      dir: '/work/job/720p',
    });
    expect(command.outputs).toEqual([
      {
        target: tee720,
        options: ['-map', '0:0', '-vf', 'fps=25,scale=1280:720,setsar=1,format=yuv420p', ...crfEncode720],
      },
    ]); // prettier-ignore
  });

  it('caps a CRF rendition at the source bit rate, as ABR targets it', () => {
    const command = buildRenditionCommand(input(fileSource, { mode: 'cappedCrf', crf: 26 }), {
      rendition: rendition('1080p'),
      dir: '/work/job/1080p',
    });
    const options = command.outputs[0]?.options ?? [];
    expect(options).not.toContain('-b:v');
    expect(options.slice(options.indexOf('-crf'), options.indexOf('-crf') + 6)).toEqual([
      '-crf',
      '26',
      '-maxrate',
      '3000k',
      '-bufsize',
      '6000k',
    ]);
  });

  it('keeps the ladder decode-once graph, the shared GOP and HLS segmenting under capped CRF', () => {
    const outputs = ['720p', '360p'].map((name) => ({
      rendition: rendition(name),
      dir: `/work/job/${name}`,
    }));
    const abr = buildLadderCommand(input(urlSource), outputs);
    const crf = buildLadderCommand(input(urlSource, crf23), outputs);
    expect(crf.complexFilter).toBe(abr.complexFilter);
    expect(crf.outputs.map((output) => output.target)).toEqual(
      abr.outputs.map((output) => output.target),
    );
    expect(crf.outputs[0]).toEqual({ target: tee720, options: ['-map', '[v0]', ...crfEncode720] });
    expect(crf.outputs[1]?.options).toEqual([
      '-map', '[v1]',
      ...crfEncode720.slice(0, 6),
      '-crf', '23', '-maxrate', '600k', '-bufsize', '1200k',
      ...crfEncode720.slice(12),
    ]); // prettier-ignore
  });

  it('leaves HDR twins (x265) on capped ABR: capped CRF is measured for x264 only', () => {
    const command = buildLadderCommand(input(fileSource, crf23), [
      { rendition: hdrTwin(rendition('720p'), 'PQ'), dir: '/work/job/720p-hdr' },
    ]);
    const options = command.outputs[0]?.options ?? [];
    expect(options).not.toContain('-crf');
    expect(options.slice(options.indexOf('-b:v'), options.indexOf('-b:v') + 6)).toEqual([
      '-b:v',
      '2000k',
      '-maxrate',
      '2000k',
      '-bufsize',
      '4000k',
    ]);
  });
});

describe('codec families', () => {
  const MUX = [
    '-an',
    '-flags', '+global_header', '-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn', '-f', 'tee',
  ]; // prettier-ignore
  const BT709 = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv']; // prettier-ignore
  const teeOf = (name: string) =>
    '[f=hls:hls_time=6:hls_playlist_type=event:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4:' +
    `hls_segment_filename=/work/job/${name}/segment-%05d.m4s:hls_flags=independent_segments+temp_file]/work/job/${name}/index.m3u8` +
    `|[f=mp4:movflags=+faststart]/work/job/${name}/${name}.mp4`;
  const ladder = (rateControl: RateControl = ABR) =>
    buildLadderCommand(
      input(fileSource, rateControl),
      ['720p', '360p'].flatMap((name) => [
        { rendition: rendition(name), dir: `/work/job/${name}` },
        { rendition: familyTwin(rendition(name), 'hevc'), dir: `/work/job/${name}-hevc` },
        { rendition: familyTwin(rendition(name), 'av1'), dir: `/work/job/${name}-av1` },
      ]),
    );

  it('encodes every family from one decode: one split, one scaled branch per variant', () => {
    expect(ladder().complexFilter).toBe(
      '[0:0]fps=25,split=6[s0][s1][s2][s3][s4][s5];' +
        '[s0]scale=1280:720,setsar=1,format=yuv420p[v0];[s1]scale=1280:720,setsar=1,format=yuv420p[v1];' +
        '[s2]scale=1280:720,setsar=1,format=yuv420p[v2];[s3]scale=640:360,setsar=1,format=yuv420p[v3];' +
        '[s4]scale=640:360,setsar=1,format=yuv420p[v4];[s5]scale=640:360,setsar=1,format=yuv420p[v5]',
    );
  });

  it('keeps H.264 exactly as without families', () => {
    expect(ladder().outputs[0]).toEqual({
      target: tee720,
      options: ['-map', '[v0]', ...encode720],
    });
  });

  it('encodes HEVC Main 8-bit SDR with x265 in hvc1, 0.7× the bits, the shared closed GOP', () => {
    expect(ladder().outputs[1]).toEqual({
      target: teeOf('720p-hevc'),
      options: [
        '-map', '[v1]',
        '-c:v', 'libx265', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
        '-tag:v', 'hvc1',
        '-b:v', '1400k', '-maxrate', '1400k', '-bufsize', '2800k',
        '-x265-params',
        'log-level=error:keyint=50:min-keyint=50:scenecut=0:open-gop=0:repeat-headers=1:colorprim=bt709:transfer=bt709:colormatrix=bt709',
        ...BT709,
        ...MUX,
      ],
    }); // prettier-ignore
  });

  it('encodes AV1 with SVT-AV1 at its preset, 0.6× the bits, fixed keyint and no scene-cut keyframes', () => {
    expect(ladder().outputs[2]).toEqual({
      target: teeOf('720p-av1'),
      options: [
        '-map', '[v2]',
        '-c:v', 'libsvtav1', '-preset', '10', '-pix_fmt', 'yuv420p',
        '-b:v', '1200k',
        '-g', '50', '-svtav1-params', 'keyint=50:scd=0',
        ...BT709,
        ...MUX,
      ],
    }); // prettier-ignore
    expect(ladder().outputs[5]?.options).toContain('360k');
  });

  it('gives each family capped CRF on its own scale under the scaled cap', () => {
    const command = ladder({ mode: 'cappedCrf', crf: 23 });
    const hevc = command.outputs[1]?.options ?? [];
    const av1 = command.outputs[2]?.options ?? [];
    expect(hevc.slice(hevc.indexOf('-crf'), hevc.indexOf('-crf') + 6)).toEqual([
      '-crf', '28', '-maxrate', '1400k', '-bufsize', '2800k',
    ]); // prettier-ignore
    expect(av1.slice(av1.indexOf('-crf'), av1.indexOf('-crf') + 6)).toEqual([
      '-crf', '35', '-maxrate', '1200k', '-bufsize', '2400k',
    ]); // prettier-ignore
    expect(av1).not.toContain('-b:v');
  });

  it("names each twin after its rendition and family, and drops a below-ladder rendition's requested name", () => {
    const own = { ...rendition('360p'), name: '240p', requestedName: '360p' };
    expect(familyTwin(own, 'av1')).toMatchObject({ name: '240p-av1', family: 'av1' });
    expect(familyTwin(own, 'av1')).not.toHaveProperty('requestedName');
  });
});

describe('thumbnail commands', () => {
  it('picks the poster from a window a tenth of the way in, scaled to at most 1280', () => {
    const command = buildPosterCommand(
      fileSource,
      metadata,
      plan.video,
      planPoster(metadata),
      '/work/final/poster.jpg',
    );
    expect(toArgv(command)).toEqual([
      '-hide_banner', '-nostats', '-loglevel', 'error', '-progress', 'pipe:2',
      '-ss', '1.000', '-protocol_whitelist', 'file', '-format_whitelist', FORMATS,
      '-i', 'file:/data/raw/clip.mp4', '-y',
      '-map', '0:0', '-vf', 'scale=1280:720,setsar=1,thumbnail=75,format=yuvj420p',
      '-frames:v', '1', '-q:v', '3', '-an', '-f', 'image2', '-update', '1', '/work/final/poster.jpg',
    ]); // prettier-ignore
  });

  it('tiles one thumbnail per interval into a single sprite', () => {
    const command = buildSpriteCommand(
      fileSource,
      metadata,
      plan.video,
      planSprite(metadata),
      '/work/final/sprite.jpg',
    );
    expect(command.outputs[0]?.options.slice(0, 4)).toEqual([
      '-map',
      '0:0',
      '-vf',
      'setpts=PTS-STARTPTS,fps=1/1,scale=160:90,setsar=1,tile=10x1,format=yuvj420p',
    ]);
  });
});

describe('real-world sources', () => {
  const hdr = metadataFixture(
    {
      codec: 'hevc',
      pixelFormat: 'yuv420p10le',
      bitDepth: 10,
      colour: { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', range: 'tv' },
      dynamicRange: 'PQ',
    },
    { bitRateKbps: 3000 },
  );
  const toneMap =
    'zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:rin=tv:t=linear:npl=100,format=gbrpf32le,' +
    'zscale=p=bt709,tonemap=tonemap=mobius:param=0.5:desat=0,zscale=t=bt709:m=bt709:r=tv';

  it('tone-maps PQ to BT.709 once, before the split, and tags every output BT.709', () => {
    const hdrPlan = planLadder(hdr, { keyframeIntervalSeconds: 2 });
    const command = buildLadderCommand({ ...input(fileSource), metadata: hdr, plan: hdrPlan }, [
      { rendition: rendition('720p'), dir: '/work/job/720p' },
    ]);
    expect(command.complexFilter).toBe(
      `[0:0]fps=25,${toneMap},split=1[s0];[s0]scale=1280:720,setsar=1,format=yuv420p[v0]`,
    );
    expect(command.outputs[0]?.options.join(' ')).toContain(
      '-color_primaries bt709 -color_trc bt709 -colorspace bt709',
    );
  });

  it('gives the poster the same tone mapping as the renditions', () => {
    const hdrPlan = planLadder(hdr, { keyframeIntervalSeconds: 2 });
    const command = buildPosterCommand(fileSource, hdr, hdrPlan.video, planPoster(hdr), '/p.jpg');
    expect(command.outputs[0]?.options[3]).toBe(
      `${toneMap},scale=1280:720,setsar=1,thumbnail=75,format=yuvj420p`,
    );
  });

  it('deinterlaces 1080i29.97 to 59.94p with bwdif, the field parity given', () => {
    const interlaced = metadataFixture(
      { frameRate: { num: 30000, den: 1001 }, fieldOrder: 'tt' },
      { container: 'mpegts', bitRateKbps: 3000 },
    );
    const fieldRate = planLadder(interlaced, {
      keyframeIntervalSeconds: 2,
      interlace: { interlaced: true, parity: 'tff', detectedBy: 'field-order' },
    });
    expect(fieldRate.frameRate).toEqual({ num: 60000, den: 1001 });
    expect(fieldRate.gopFrames).toBe(120);
    const command = buildRenditionCommand(
      { ...input(fileSource), metadata: interlaced, plan: fieldRate },
      { rendition: rendition('720p'), dir: '/work/job/720p' },
    );
    // Renditions are video only (-map 0:v, then -vf): the filter chain is the fourth option.
    expect(command.outputs[0]?.options[3]).toBe(
      'bwdif=mode=send_field:parity=tff:deint=all,fps=60000/1001,scale=1280:720,setsar=1,format=yuv420p',
    );
    // A 30 fps cap keeps one frame per frame.
    const capped = planLadder(interlaced, {
      keyframeIntervalSeconds: 2,
      maxFrameRate: 30,
      interlace: { interlaced: true, parity: 'bff', detectedBy: 'idet' },
    });
    expect(capped.frameRate).toEqual({ num: 30000, den: 1001 });
    expect(capped.video.deinterlace).toEqual({
      parity: 'bff',
      rate: 'frame-rate',
      detectedBy: 'idet',
    });
    // The poster of an MPEG-TS seeks after decoding (no index to seek in).
    const poster = buildPosterCommand(
      fileSource,
      interlaced,
      fieldRate.video,
      planPoster(interlaced),
      '/p.jpg',
    );
    expect(poster.inputOptions).not.toContain('-ss');
    expect(poster.outputs[0]?.options.slice(0, 2)).toEqual(['-ss', '1.000']);
    expect(poster.outputs[0]?.options[5]).toMatch(/^bwdif=mode=send_frame:parity=tff:deint=all,/);
  });

  it('converts a BT.601 SD source to BT.709 in the scaler, since the output says BT.709', () => {
    const sd = metadataFixture({ colour: { matrix: 'smpte170m' } }, { bitRateKbps: 3000 });
    const sdPlan = planLadder(sd, { keyframeIntervalSeconds: 2 });
    const command = buildRenditionCommand(
      { ...input(fileSource), metadata: sd, plan: sdPlan },
      { rendition: rendition('720p'), dir: '/work/job/720p' },
    );
    expect(command.outputs[0]?.options[3]).toBe(
      'fps=25,scale=1280:720:in_color_matrix=bt601:out_color_matrix=bt709,setsar=1,format=yuv420p',
    );
  });
});

describe('toArgv', () => {
  it('is exactly what fluent-ffmpeg passes to ffmpeg', () => {
    const outputs = ['720p', '360p'].map((name) => ({
      rendition: rendition(name),
      dir: `/work/job/${name}`,
    }));
    for (const command of [
      buildLadderCommand(input(urlSource), outputs),
      buildRenditionCommand(
        input(fileSource),
        outputs[0] ?? { rendition: rendition('720p'), dir: '/w' },
      ),
    ]) {
      const fluent = toFluentCommand(command, 'ffmpeg') as unknown as { _getArguments(): string[] };
      expect(fluent._getArguments()).toEqual(toArgv(command));
    }
  });
});
