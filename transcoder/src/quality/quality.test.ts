import { describe, expect, it } from 'vitest';
import { planLadder } from '../plan/ladder.ts';
import { metadataFixture } from '../testing/media.fixtures.ts';
import { buildQualityArgs, planSampleWindows } from './quality-command.builder.ts';
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
      rendition: rendition,
      renditionMp4: '/work/job/360p/360p.mp4',
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
        `[0:v:0]${ref}[ref0]`, '[1:v:0]setpts=PTS-STARTPTS[dist0]',
        `[2:v:0]${ref}[ref1]`, '[3:v:0]setpts=PTS-STARTPTS[dist1]',
        '[ref0][ref1]concat=n=2:v=1:a=0,split=2[refa][refb]',
        '[dist0][dist1]concat=n=2:v=1:a=0,split=2[dista][distb]',
        '[dista][refa]ssim=stats_file=-[ssim]',
        '[distb][refb]psnr=stats_file=-[psnr]',
      ].join(';'),
      '-map', '[ssim]', '-f', 'null', '-',
      '-map', '[psnr]', '-f', 'null', '-',
    ]); // prettier-ignore
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
