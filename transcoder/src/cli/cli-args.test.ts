import { describe, expect, it } from 'vitest';
import { exitCodeFor } from './cli.ts';
import { parseCliArgs } from './cli-args.ts';

const common = ['--output-prefix', 'videos/output/42/', '--job-id', '42'];
const url = 'https://bucket.s3.amazonaws.com/videos/raw/a.mp4?X-Amz-Signature=abc';

describe('parseCliArgs', () => {
  it('reads the container entrypoint form, which defaults to one rendition', () => {
    expect(parseCliArgs(['--source', url, '--rendition', '720p', ...common])).toEqual({
      ok: true,
      command: {
        command: 'rendition',
        source: { kind: 'location', value: url },
        job: '42',
        outputPrefix: 'videos/output/42/',
        rendition: { name: '720p', height: 720, videoBitrateKbps: 2000 },
      },
    });
  });

  it('asks for the HDR twin with --hdr (the TranscodeJob spec.hdr)', () => {
    expect(
      parseCliArgs(['ladder', '--source', url, '--renditions', '720p', '--hdr', ...common]),
    ).toMatchObject({ ok: true, command: { command: 'ladder', hdr: true } });
    const plain = parseCliArgs(['--source', url, '--rendition', '720p', ...common]);
    expect(plain.ok && 'hdr' in plain.command).toBe(false);
  });

  it('asks for codec families with --codecs (the TranscodeJob spec.codecs)', () => {
    expect(
      parseCliArgs(['ladder', '--source', url, '--codecs', 'h264,av1', ...common]),
    ).toMatchObject({ ok: true, command: { command: 'ladder', codecs: ['h264', 'av1'] } });
    expect(
      parseCliArgs(['--source', url, '--rendition', '720p', '--codecs', 'h264,hevc', ...common]),
    ).toMatchObject({ ok: true, command: { command: 'rendition', codecs: ['h264', 'hevc'] } });
    const plain = parseCliArgs(['--source', url, '--rendition', '720p', ...common]);
    expect(plain.ok && 'codecs' in plain.command).toBe(false);
    // H.264 is the base every other family is a twin of.
    const av1Only = parseCliArgs(['ladder', '--source', url, '--codecs', 'av1', ...common]);
    expect(av1Only.ok).toBe(false);
    expect(!av1Only.ok && av1Only.message).toMatch(/--codecs: must include h264/);
  });

  it('takes a custom rendition from the TranscodeJob spec', () => {
    const parsed = parseCliArgs([
      'rendition',
      '--source-key',
      'videos/raw/a.mp4',
      '--rendition',
      '540p',
      '--height',
      '540',
      '--video-bitrate',
      '1500k',
      '--audio-bitrate',
      '96k',
      ...common,
    ]);
    expect(parsed).toMatchObject({
      ok: true,
      command: {
        source: { kind: 'key', key: 'videos/raw/a.mp4' },
        rendition: { name: '540p', height: 540, videoBitrateKbps: 1500, audioBitrateKbps: 96 },
      },
    });
  });

  it('reads the tracks workload, with the audio bit rate the renditions asked for', () => {
    expect(
      parseCliArgs([
        'tracks',
        '--source-key',
        'videos/raw/a.mp4',
        '--audio-bitrate',
        '160k',
        ...common,
      ]),
    ).toEqual({
      ok: true,
      command: {
        command: 'tracks',
        source: { kind: 'key', key: 'videos/raw/a.mp4' },
        job: '42',
        outputPrefix: 'videos/output/42/',
        audioBitrateKbps: 160,
      },
    });
    expect(
      parseCliArgs([
        'tracks',
        '--source-key',
        'videos/raw/a.mp4',
        '--audio-bitrate',
        'loud',
        ...common,
      ]).ok,
    ).toBe(false);
  });

  it('reads a chunk with its place on the segment grid, and stitch with the chunk count', () => {
    expect(
      parseCliArgs([
        'chunk', '--source', url, '--renditions', '720p', ...common,
        '--chunk-index', '2', '--start-segment', '50', '--segment-count', '25', '--segment-seconds', '6',
      ]), // prettier-ignore
    ).toMatchObject({
      ok: true,
      command: {
        command: 'chunk',
        renditions: [{ name: '720p', height: 720 }],
        chunk: { index: 2, startSegment: 50, segmentCount: 25, segmentSeconds: 6 },
      },
    });
    expect(parseCliArgs(['stitch', '--source', url, '--chunks', '4', ...common])).toMatchObject({
      ok: true,
      command: { command: 'stitch', chunks: 4, renditions: undefined },
    });
    expect(parseCliArgs(['stitch', '--source', url, ...common])).toMatchObject({
      ok: false,
      message: expect.stringContaining('--chunks is required') as unknown,
    });
  });

  it('reads ladder, finalize and probe', () => {
    expect(
      parseCliArgs(['ladder', '--source', url, '--renditions', '1080p,720p', ...common]),
    ).toMatchObject({
      ok: true,
      command: { command: 'ladder', renditions: [{ name: '1080p' }, { name: '720p' }] },
    });
    expect(parseCliArgs(['finalize', '--source', url, ...common])).toMatchObject({
      ok: true,
      command: { command: 'finalize', renditions: undefined },
    });
    expect(parseCliArgs(['probe', '--source', url])).toMatchObject({
      ok: true,
      command: { command: 'probe' },
    });
  });

  it.each([
    [['--rendition', '720p', ...common], /--source or --source-key is required/],
    [['--source', url, '--source-key', 'k', '--rendition', '720p', ...common], /not both/],
    [['--source', url, '--rendition', '720p', '--job-id', '42'], /--output-prefix is required/],
    [
      [
        '--source',
        url,
        '--rendition',
        '720p',
        '--output-prefix',
        'videos/output/../secrets/',
        '--job-id',
        '42',
      ],
      /--output-prefix/,
    ],
    [
      ['--source', url, '--rendition', '720p', '--output-prefix', 'videos/raw/', '--job-id', '42'],
      /videos\/output\/JOB\//,
    ],
    [
      [
        '--source',
        url,
        '--rendition',
        '720p',
        '--output-prefix',
        'videos/output/42/',
        '--job-id',
        '4 2; rm -rf /',
      ],
      /--job/,
    ],
    [['--source', url, '--rendition', 'huge', ...common], /--rendition/],
    [['--source', url, '--rendition', '540p', ...common], /pass --height and --video-bitrate/],
    [
      ['--source', url, '--rendition', '720p', '--video-bitrate', '2 Mbps', ...common],
      /--video-bitrate/,
    ],
    [['--source', url, '--rendition', '720p', '--verbose', ...common], /unknown option: --verbose/],
    [['transcode', '--source', url, ...common], /unknown command: transcode/],
    [['ladder', '--source', url, '--renditions', '1080p,huge', ...common], /--renditions/],
  ])('refuses %j', (argv, message) => {
    const parsed = parseCliArgs(argv);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  it("takes a below-ladder source's own-size name in a ladder, at the lowest rendition's bit rate", () => {
    const parsed = parseCliArgs(['ladder', '--source', url, '--renditions', '240p', ...common]);
    expect(parsed).toMatchObject({
      ok: true,
      command: {
        command: 'ladder',
        renditions: [{ name: '240p', height: 240, videoBitrateKbps: 600 }],
      },
    });
  });

  it('answers --help with usage', () => {
    const parsed = parseCliArgs(['--help']);
    expect(parsed).toMatchObject({ ok: false, help: true });
    expect(!parsed.ok && parsed.message).toMatch(/^Usage:/);
  });
});

describe('exitCodeFor', () => {
  it('maps bad input to 2 and anything retryable to 1', () => {
    expect(exitCodeFor('bad-input')).toBe(2);
    expect(exitCodeFor('transient')).toBe(1);
    expect(exitCodeFor('cancelled')).toBe(1);
  });
});
