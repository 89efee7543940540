import { describe, expect, it } from 'vitest';
import { planLadder } from '../plan/ladder.ts';
import { metadataFixture } from '../testing/media.fixtures.ts';
import { hdrTwin } from '../plan/hdr-variant.ts';
import { familyTwin } from '../plan/codec-family-variant.ts';
import {
  buildQualityArgs,
  filterOptionValue,
  planSampleWindows,
} from './quality-command.builder.ts';
import { parseQualityStats } from './quality-stats.parser.ts';

describe('planSampleWindows', () => {
  it('spreads three windows over the title, the sample seconds in all', () => {
    expect(planSampleWindows(60, 6)).toEqual([
      { startSeconds: 9, seconds: 2 },
      { startSeconds: 29, seconds: 2 },
      { startSeconds: 49, seconds: 2 },
    ]);
  });

  it('compares a title no longer than the sample whole', () => {
    expect(planSampleWindows(4.5, 6)).toEqual([{ startSeconds: 0, seconds: 4.5 }]);
  });
});

describe('buildQualityArgs', () => {
  it('seeks both inputs to each window and compares through the encoder filters', () => {
    const plan = planLadder(metadataFixture(), { keyframeIntervalSeconds: 2, maxFrameRate: 60 });
    const rendition = plan.renditions.find((r) => r.name === '360p')!;
    const args = buildQualityArgs({
      source: { kind: 'url', url: 'https://s3.example/raw/a.mp4?X-Amz-Signature=s', protocols: ['https', 'tls', 'tcp'] },
      plan,
      variants: [{ rendition, mp4: '/work/job/360p/360p.mp4', ssimStats: '/work/job/360p/q.ssim', psnrStats: '/work/job/360p/q.psnr' }],
      windows: [
        { startSeconds: 1, seconds: 2 },
        { startSeconds: 7, seconds: 2 },
      ],
    }); // prettier-ignore
    const urlSafety = [
      '-protocol_whitelist', 'https,tls,tcp', '-format_whitelist',
      'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,ogg,mxf',
      '-tls_verify', '1', '-rw_timeout', '30000000', '-reconnect', '1',
      '-reconnect_on_network_error', '1', '-reconnect_delay_max', '5',
    ]; // prettier-ignore
    const fileSafety = [
      '-protocol_whitelist', 'file', '-format_whitelist',
      'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,ogg,mxf',
    ]; // prettier-ignore
    const ref = 'setpts=PTS-STARTPTS,fps=25,scale=640:360,setsar=1,format=yuv420p';
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats',
      '-ss', '1', '-t', '2', ...urlSafety, '-i', 'https://s3.example/raw/a.mp4?X-Amz-Signature=s',
      '-ss', '1', '-t', '2', ...fileSafety, '-i', 'file:/work/job/360p/360p.mp4',
      '-ss', '7', '-t', '2', ...urlSafety, '-i', 'https://s3.example/raw/a.mp4?X-Amz-Signature=s',
      '-ss', '7', '-t', '2', ...fileSafety, '-i', 'file:/work/job/360p/360p.mp4',
      '-filter_complex', [
        `[0:v:0]${ref}[ref0w0]`, '[1:v:0]setpts=PTS-STARTPTS,format=yuv420p[dist0w0]',
        `[2:v:0]${ref}[ref0w1]`, '[3:v:0]setpts=PTS-STARTPTS,format=yuv420p[dist0w1]',
        '[ref0w0][ref0w1]concat=n=2:v=1:a=0,split=2[refa0][refb0]',
        '[dist0w0][dist0w1]concat=n=2:v=1:a=0,split=2[dista0][distb0]',
        '[dista0][refa0]ssim=stats_file=/work/job/360p/q.ssim[ssim0]',
        '[distb0][refb0]psnr=stats_file=/work/job/360p/q.psnr[psnr0]',
      ].join(';'),
      '-map', '[ssim0]', '-f', 'null', '-',
      '-map', '[psnr0]', '-f', 'null', '-',
    ]); // prettier-ignore
  });

  it('decodes the source once for a rendition and its twins; the HDR twin is judged in 10-bit PQ, not tone-mapped', () => {
    const plan = planLadder(
      metadataFixture({ codec: 'hevc', pixelFormat: 'yuv420p10le', bitDepth: 10, colour: { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', range: 'tv' }, dynamicRange: 'PQ' }),
      { keyframeIntervalSeconds: 2, maxFrameRate: 60 },
    ); // prettier-ignore
    const rendition = plan.renditions.find((r) => r.name === '360p')!;
    const variant = (r: typeof rendition) => ({ rendition: r, mp4: `/j/${r.name}.mp4`, ssimStats: `/j/${r.name}.ssim`, psnrStats: `/j/${r.name}.psnr` }); // prettier-ignore
    const args = buildQualityArgs({
      source: { kind: 'file', path: '/in/a.mp4', protocols: ['file'] },
      plan,
      variants: [rendition, familyTwin(rendition, 'av1'), hdrTwin(rendition, 'PQ')].map(variant),
      windows: [{ startSeconds: 0, seconds: 2 }],
    });
    // One source input and three variant inputs per window.
    expect(args.filter((a) => a === '-i')).toHaveLength(4);
    const graph = args[args.indexOf('-filter_complex') + 1]!.split(';');
    // One decode, split into the tone-mapped SDR reference and the PQ one.
    expect(graph[0]).toMatch(/^\[0:v:0\]setpts=PTS-STARTPTS,fps=25,split=2\[src0w0\]\[src1w0\]$/);
    expect(graph[1]).toMatch(/^\[src0w0\]zscale=.*tonemap=.*format=yuv420p\[ref0w0\]$/);
    expect(graph[2]).toBe('[src1w0]scale=640:360,setsar=1,format=yuv420p10le[ref1w0]');
    expect(graph).toContain('[3:v:0]setpts=PTS-STARTPTS,format=yuv420p10le[dist2w0]');
    // H.264 and AV1 share the SDR reference; the HDR twin has its own.
    expect(graph).toContain('[ref0w0]concat=n=1:v=1:a=0,split=4[refa0][refb0][refa1][refb1]');
    expect(graph).toContain('[ref1w0]concat=n=1:v=1:a=0,split=2[refa2][refb2]');
    expect(args.filter((a) => a === 'null')).toHaveLength(6);
  });
});

describe('filterOptionValue', () => {
  it('escapes a path for the option parser, then for the graph parser', () => {
    expect(filterOptionValue('/work/job/720p/q.ssim')).toBe('/work/job/720p/q.ssim');
    // ":" ends an option and "," a filter; both levels need their escape.
    expect(filterOptionValue("/w/a:b,c'd")).toBe("/w/a\\\\:b\\,c\\\\\\'d");
  });
});

describe('parseQualityStats', () => {
  // What ffmpeg 5.1's ssim and psnr filters write with stats_file=- (interleaved).
  const stdout = [
    'n:1 Y:0.950000 U:0.980000 V:0.970000 All:0.960000 (13.979400)',
    'n:1 mse_avg:10.00 mse_y:12.00 mse_u:6.00 mse_v:6.00 psnr_avg:38.13 psnr_y:37.34 psnr_u:40.35 psnr_v:40.35',
    'n:2 Y:0.930000 U:0.960000 V:0.950000 All:0.940000 (12.218487)',
    'n:2 mse_avg:30.00 mse_y:36.00 mse_u:18.00 mse_v:18.00 psnr_avg:33.36 psnr_y:32.57 psnr_u:35.58 psnr_v:35.58',
  ].join('\n');

  it('averages SSIM All over frames and takes PSNR from the mean MSE', () => {
    const score = parseQualityStats(stdout);
    expect(score.frames).toBe(2);
    expect(score.ssim).toBeCloseTo(0.95, 6);
    expect(score.psnrDb).toBeCloseTo(10 * Math.log10((255 * 255) / 20), 6);
  });

  it('caps the PSNR of identical pictures', () => {
    expect(
      parseQualityStats('n:1 Y:1 U:1 V:1 All:1.000000 (inf)\nn:1 mse_avg:0.00 psnr_avg:inf').psnrDb,
    ).toBe(100);
  });

  it('refuses output that compared no frame', () => {
    expect(() => parseQualityStats('')).toThrow('no frames were compared');
  });
});
