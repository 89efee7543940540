import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseArgv,
  toArgv,
  TRANSCODER_EXIT,
  TranscoderInvocation,
} from './transcoder-invocation.ts';

const jobId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
const renditionName = fc.integer({ min: 1, max: 9999 }).map((height) => `${height}p`);
const bitrate = fc.integer({ min: 1, max: 999_999 }).map((kbps) => `${kbps}k`);
// Any text at all, including text that starts with "-" or holds "=" and ",": a value
// is always the token after its flag.
const source = fc.oneof(
  fc.record({ kind: fc.constant('location' as const), value: fc.string({ minLength: 1 }) }),
  fc.record({
    kind: fc.constant('key' as const),
    key: fc.string({ minLength: 1, maxLength: 1024 }),
  }),
);
const renditions = fc.option(fc.array(renditionName, { minLength: 1, maxLength: 10 }), {
  nil: undefined,
});
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const work = {
  source,
  jobId,
  outputPrefix: jobId.map((id) => `videos/output/${id}/`),
};

const invocation: fc.Arbitrary<TranscoderInvocation> = fc.oneof(
  fc.record({ command: fc.constant('probe' as const), source }),
  fc.record({
    command: fc.constant('rendition' as const),
    ...work,
    rendition: fc.record(
      {
        name: renditionName,
        height: fc.integer({ min: 2, max: 8192 }),
        videoBitrate: bitrate,
        audioBitrate: bitrate,
      },
      { requiredKeys: ['name'] },
    ),
    hdr: fc.boolean(),
  }),
  fc.record({ command: fc.constant('ladder' as const), ...work, renditions, hdr: fc.boolean() }),
  fc.record({ command: fc.constant('tracks' as const), ...work, audioBitrate: optional(bitrate) }),
  fc.record({ command: fc.constant('finalize' as const), ...work, renditions }),
);

/** What parseArgv returns: the schema's output, without keys whose value is undefined. */
function normalised(value: TranscoderInvocation): unknown {
  return JSON.parse(JSON.stringify(TranscoderInvocation.parse(value)));
}

describe('the transcoder invocation', () => {
  it('survives toArgv then parseArgv, for every valid invocation', () => {
    fc.assert(
      fc.property(invocation, (x) => {
        const parsed = parseArgv(toArgv(x));
        expect(parsed.ok).toBe(true);
        expect(parsed.ok && JSON.parse(JSON.stringify(parsed.invocation))).toEqual(normalised(x));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the command line the image documents', () => {
    expect(
      toArgv({
        command: 'rendition',
        source: { kind: 'key', key: 'videos/raw/a.mp4' },
        jobId: '42',
        outputPrefix: 'videos/output/42/',
        rendition: { name: '720p', height: 720, videoBitrate: '2000k' },
        hdr: true,
      }),
    ).toEqual([
      'rendition',
      '--source-key',
      'videos/raw/a.mp4',
      '--rendition',
      '720p',
      '--height',
      '720',
      '--video-bitrate',
      '2000k',
      '--hdr',
      '--output-prefix',
      'videos/output/42/',
      '--job',
      '42',
    ]);
  });

  const work = ['--source-key', 'k', '--output-prefix', 'videos/output/42/', '--job', '42'];
  it.each([
    [['ladder', ...work, '--frobnicate'], /unknown option --frobnicate/],
    [['encode', ...work], /unknown command encode; one of rendition, ladder/],
    [['ladder', ...work, 'extra'], /unexpected arguments: extra/],
    [['ladder', '--source-key', 'k', '--job', '42'], /--output-prefix is required/],
    [['ladder', '--source-key', 'k', '--output-prefix', 'videos/output/42/'], /--job is required/],
    [['ladder', '--output-prefix', 'videos/output/42/', '--job', '42'], /--source or --source-key/],
    [['ladder', ...work, '--job', '43'], /--job is given twice/],
    [['ladder', ...work, '--renditions'], /--renditions needs a value/],
    [['ladder', ...work, '--hdr=yes'], /--hdr takes no value/],
    [['tracks', ...work, '--hdr'], /--hdr does not apply to tracks/],
    [['finalize', ...work, '--renditions', '720p,huge'], /--renditions: must look like 720p/],
    [['rendition', ...work], /--rendition is required/],
    [['rendition', ...work, '--rendition', '720p', '--height', 'tall'], /--height/],
    [['rendition', ...work, '--rendition', '720p', '--video-bitrate', '2 Mbps'], /--video-bitrate/],
    [
      ['ladder', '--source-key', 'k', '--output-prefix', 'videos/raw/', '--job', '42'],
      /--output-prefix: must look like videos\/output\/JOB\//,
    ],
    [
      ['ladder', '--source-key', 'k', '--output-prefix', 'videos/output/42/', '--job', 'a b'],
      /--job: must be 1–64 letters/,
    ],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    const parsed = parseArgv(argv);
    expect(parsed).toMatchObject({ ok: false, help: false });
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  it('answers --help with the usage, which quotes the exit codes', () => {
    const parsed = parseArgv(['ladder', '--help']);
    expect(parsed).toMatchObject({ ok: false, help: true });
    expect(!parsed.ok && parsed.message).toContain(
      `${TRANSCODER_EXIT.badInput} bad input\n(never retry)`,
    );
  });
});
