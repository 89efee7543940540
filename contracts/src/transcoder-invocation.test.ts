import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseArgv,
  toArgv,
  TranscoderInvocation,
  type TranscoderInvocation as Invocation,
} from './transcoder-invocation.ts';

const name = fc.integer({ min: 1, max: 4320 }).map((h) => `${h}p`);
const bitrate = fc.integer({ min: 1, max: 99_999 }).map((k) => `${k}k`);
const jobId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
const source = fc.oneof(
  fc.record({
    kind: fc.constant('key' as const),
    key: fc.stringMatching(/^videos\/raw\/[a-z0-9/._-]{1,60}$/),
  }),
  fc.record({
    kind: fc.constant('location' as const),
    // Presigned URLs carry '=' and '&'; local paths may start with anything but '-'.
    value: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.stringMatching(/^\/[ -~]{1,80}$/)),
  }),
);
const work = { source, jobId, outputPrefix: jobId.map((id) => `videos/output/${id}/`) };
const names = fc.uniqueArray(name, { minLength: 1, maxLength: 10 });
const flag = fc.option(fc.constant(true), { nil: undefined });
const codecs = fc
  .subarray(['hevc' as const, 'av1' as const])
  .map((extra) => ['h264' as const, ...extra]);

const invocation: fc.Arbitrary<Invocation> = fc.oneof(
  fc.record({ command: fc.constant('probe' as const), source }),
  fc.record(
    {
      command: fc.constant('rendition' as const),
      ...work,
      rendition: name,
      height: fc.integer({ min: 2, max: 8192 }),
      videoBitrate: bitrate,
      audioBitrate: bitrate,
      hdr: flag,
      codecs,
    },
    { requiredKeys: ['command', 'source', 'jobId', 'outputPrefix', 'rendition'] },
  ),
  fc.record(
    { command: fc.constant('ladder' as const), ...work, renditions: names, hdr: flag, codecs },
    { requiredKeys: ['command', 'source', 'jobId', 'outputPrefix'] },
  ),
  fc.record(
    { command: fc.constant('tracks' as const), ...work, audioBitrate: bitrate },
    { requiredKeys: ['command', 'source', 'jobId', 'outputPrefix'] },
  ),
  fc.record(
    {
      command: fc.constant('chunk' as const),
      ...work,
      renditions: names,
      codecs,
      chunkIndex: fc.integer({ min: 0, max: 100_000 }),
      startSegment: fc.integer({ min: 0, max: 100_000 }),
      segmentCount: fc.integer({ min: 1, max: 100_000 }),
      segmentSeconds: fc.integer({ min: 1, max: 30 }),
    },
    {
      requiredKeys: [
        'command',
        'source',
        'jobId',
        'outputPrefix',
        'chunkIndex',
        'startSegment',
        'segmentCount',
        'segmentSeconds',
      ],
    },
  ),
  fc.record(
    {
      command: fc.constant('stitch' as const),
      ...work,
      renditions: names,
      chunks: fc.integer({ min: 1, max: 100_000 }),
    },
    { requiredKeys: ['command', 'source', 'jobId', 'outputPrefix', 'chunks'] },
  ),
  fc.record(
    { command: fc.constant('finalize' as const), ...work, renditions: names },
    { requiredKeys: ['command', 'source', 'jobId', 'outputPrefix'] },
  ),
);

describe('the transcoder invocation', () => {
  it('reads back every valid invocation the controller can build', () => {
    fc.assert(
      fc.property(invocation, (built) => {
        expect(TranscoderInvocation.parse(built)).toEqual(built);
        expect(parseArgv(toArgv(built))).toEqual({ ok: true, invocation: built });
      }),
      { numRuns: 500 },
    );
  });

  it('builds the argv a Kubernetes Job runs, flag by flag', () => {
    expect(
      toArgv({
        command: 'rendition',
        source: { kind: 'key', key: 'videos/raw/7/clip.mp4' },
        jobId: '42',
        outputPrefix: 'videos/output/42/',
        rendition: '720p',
        height: 720,
        videoBitrate: '2500k',
        hdr: true,
      }),
    ).toEqual([
      'rendition',
      '--source-key',
      'videos/raw/7/clip.mp4',
      '--job-id',
      '42',
      '--output-prefix',
      'videos/output/42/',
      '--rendition',
      '720p',
      '--height',
      '720',
      '--video-bitrate',
      '2500k',
      '--hdr',
    ]);
  });

  it('builds a chunk invocation with its place on the segment grid', () => {
    const argv = toArgv({
      command: 'chunk',
      source: { kind: 'key', key: 'videos/raw/7/clip.mp4' },
      jobId: '42',
      outputPrefix: 'videos/output/42/',
      renditions: ['720p', '360p'],
      chunkIndex: 2,
      startSegment: 50,
      segmentCount: 25,
      segmentSeconds: 6,
    });
    expect(argv.slice(7)).toEqual([
      '--renditions',
      '720p,360p',
      '--chunk-index',
      '2',
      '--start-segment',
      '50',
      '--segment-count',
      '25',
      '--segment-seconds',
      '6',
    ]);
    expect(
      parseArgv([...argv.slice(0, 7), '--chunk-index', '-1', ...argv.slice(11)]),
    ).toMatchObject({ ok: false });
    expect(parseArgv(argv.filter((_, i) => i < 9 || i > 10))).toEqual({
      ok: false,
      help: false,
      message: '--chunk-index is required',
    });
  });

  it('defaults to the rendition command and accepts --flag=value', () => {
    expect(
      parseArgv([
        '--source=https://s3.example/raw?X-Amz-Signature=abc&x=1',
        '--rendition',
        '360p',
        '--job-id=7',
        '--output-prefix',
        'videos/output/7/',
      ]),
    ).toEqual({
      ok: true,
      invocation: {
        command: 'rendition',
        source: { kind: 'location', value: 'https://s3.example/raw?X-Amz-Signature=abc&x=1' },
        jobId: '7',
        outputPrefix: 'videos/output/7/',
        rendition: '360p',
      },
    });
  });

  it.each([
    [['ladder', '--source-key', 'k'], /--job-id is required[\s\S]*--output-prefix is required/],
    [
      ['ladder', '--job-id', '1', '--output-prefix', 'videos/output/1/'],
      /--source or --source-key is required/,
    ],
    [['encode', '--source', 'x'], /unknown command: encode/],
    [['probe', '--source', 'x', '--colour', 'red'], /unknown option: --colour/],
    [['probe', '--source', 'x', '--source-key', 'y'], /either --source or --source-key/],
    [['probe', '--source', 'x', '--job-id', '1'], /--job-id: not an option of probe/],
    [
      ['finalize', '--source', 'x', '--job-id', '1', '--output-prefix', 'videos/raw/'],
      /--output-prefix: must look like videos\/output/,
    ],
    [
      [
        '--source',
        'x',
        '--rendition',
        '720',
        '--job-id',
        '1',
        '--output-prefix',
        'videos/output/1/',
      ],
      /--rendition: must look like 720p/,
    ],
    [
      [
        '--source',
        'x',
        '--rendition',
        '720p',
        '--height',
        'tall',
        '--job-id',
        '1',
        '--output-prefix',
        'videos/output/1/',
      ],
      /--height:/,
    ],
    [['ladder', 'extra', '--source', 'x'], /unexpected argument: extra/],
    [['--source'], /--source needs a value/],
    [['tracks', '--source', 'x', '--hdr=yes'], /--hdr takes no value/],
    [
      [
        'ladder',
        '--source',
        'x',
        '--job-id',
        '1',
        '--output-prefix',
        'videos/output/1/',
        '--codecs',
        'h264,vp9',
      ],
      /--codecs:/,
    ],
    [
      [
        'ladder',
        '--source',
        'x',
        '--job-id',
        '1',
        '--output-prefix',
        'videos/output/1/',
        '--codecs',
        'av1,av1',
      ],
      /--codecs: lists a codec twice/,
    ],
    [
      [
        'tracks',
        '--source',
        'x',
        '--job-id',
        '1',
        '--output-prefix',
        'videos/output/1/',
        '--codecs',
        'av1',
      ],
      /--codecs: not an option of tracks/,
    ],
    [['probe', '--source', 'x', '--source', 'y'], /--source is given twice/],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    const parsed = parseArgv(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('reports --help as help, not as an error', () => {
    expect(parseArgv(['ladder', '--help'])).toMatchObject({ ok: false, help: true });
  });
});
