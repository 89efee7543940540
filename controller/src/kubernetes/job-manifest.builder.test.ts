import type { TranscodeJobResource } from '@videoforge/contracts';
import { parseArgv, TranscodeJobSpec, TRANSCODER_EXIT } from '@videoforge/contracts';
import { describe, expect, it } from 'vitest';
import {
  buildJobManifest,
  DEFAULT_SCRATCH_SIZE_LIMIT,
  scratchResources,
  transcoderArgs,
  transcoderInvocation,
  withCodecCost,
  type JobTemplateSettings,
} from './job-manifest.builder.ts';

const resource: TranscodeJobResource = {
  apiVersion: 'videoforge.io/v1alpha1',
  kind: 'TranscodeJob',
  metadata: { name: 'job-42', namespace: 'videoforge', uid: 'uid-42' },
  spec: {} as TranscodeJobResource['spec'],
};
const spec = TranscodeJobSpec.parse({
  jobId: '42',
  source: { bucket: 'videoforge', key: 'videos/raw/1/abc/clip.mp4' },
  renditions: [{ name: '720p', height: 720, videoBitrate: '2800k' }],
});
const settings: JobTemplateSettings = {
  image: 'videoforge/transcoder:1.0.0',
  command: ['videoforge-transcode'],
  nodeSelector: { 'videoforge.io/node-group': 'transcode' },
  tolerations: [],
  resources: {
    default: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
    '2160p': {
      requests: { cpu: '4', memory: '4Gi', 'ephemeral-storage': '40Gi' },
      limits: { memory: '6Gi', 'ephemeral-storage': '60Gi' },
    },
  },
  activeDeadlineSeconds: 3600,
  ttlSecondsAfterFinished: 600,
  env: [],
};
const rendition = {
  type: 'rendition' as const,
  name: 'job-42-720p',
  rendition: { name: '720p', height: 720, videoBitrate: '2800k' },
};

describe('the transcode Job manifest: a pod that cannot wander', () => {
  it('runs under seccomp RuntimeDefault, non-root, with no service account token', () => {
    const pod = buildJobManifest(resource, spec, rendition, settings).spec?.template.spec;
    expect(pod?.securityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('bounds /tmp and ephemeral storage by the scratch size (20Gi by default)', () => {
    expect(DEFAULT_SCRATCH_SIZE_LIMIT).toBe('20Gi');
    const pod = buildJobManifest(resource, spec, rendition, settings).spec?.template.spec;
    expect(pod?.volumes).toEqual([{ name: 'scratch', emptyDir: { sizeLimit: '20Gi' } }]);
    expect(pod?.containers[0]?.volumeMounts).toEqual([{ name: 'scratch', mountPath: '/tmp' }]);
    expect(pod?.containers[0]?.resources).toEqual({
      requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '20Gi' },
      limits: { memory: '2Gi', 'ephemeral-storage': '20Gi' },
    });
  });

  it('takes the scratch size from the settings', () => {
    const pod = buildJobManifest(resource, spec, rendition, {
      ...settings,
      scratchSizeLimit: '5Gi',
    }).spec?.template.spec;
    expect(pod?.volumes).toEqual([{ name: 'scratch', emptyDir: { sizeLimit: '5Gi' } }]);
    expect(pod?.containers[0]?.resources).toEqual({
      requests: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '5Gi' },
      limits: { memory: '2Gi', 'ephemeral-storage': '5Gi' },
    });
  });

  it('lets a rendition name its own ephemeral storage, and sizes /tmp by its limit', () => {
    const uhd = {
      type: 'rendition' as const,
      name: 'job-42-2160p',
      rendition: { name: '2160p', height: 2160, videoBitrate: '16000k' },
    };
    const pod = buildJobManifest(resource, spec, uhd, settings).spec?.template.spec;
    expect(pod?.volumes).toEqual([{ name: 'scratch', emptyDir: { sizeLimit: '60Gi' } }]);
    expect(pod?.containers[0]?.resources).toEqual({
      requests: { cpu: '4', memory: '4Gi', 'ephemeral-storage': '40Gi' },
      limits: { memory: '6Gi', 'ephemeral-storage': '60Gi' },
    });
  });

  it('scratchResources: request defaults to the limit; a missing rendition gets just the scratch bounds', () => {
    expect(scratchResources({}, '1Gi')).toEqual({
      sizeLimit: '1Gi',
      resources: {
        requests: { 'ephemeral-storage': '1Gi' },
        limits: { 'ephemeral-storage': '1Gi' },
      },
    });
    expect(
      scratchResources({ limits: { 'ephemeral-storage': '3Gi' } }, '1Gi').resources.requests,
    ).toEqual({ 'ephemeral-storage': '3Gi' });
  });
});

const PREFIX = 'videos/output/42/';
const argsSpec: TranscodeJobSpec = {
  jobId: '42',
  videoId: '17',
  source: { bucket: 'video-forge-storage', key: 'videos/raw/1/a/clip.mp4' },
  renditions: [{ name: '720p', height: 720, videoBitrate: '2000k' }],
  outputPrefix: 'videos/output/42/',
  priority: 0,
  maxRetries: 2,
  strategy: 'perRendition',
};

describe('transcoderArgs', () => {
  it('passes --hdr to the workloads that encode when spec.hdr asks for the HDR set', () => {
    const rendition = {
      type: 'rendition' as const,
      name: 'job-42-720p',
      rendition: { name: '720p', height: 720, videoBitrate: '2000k' },
    };
    expect(transcoderArgs({ ...argsSpec, hdr: true }, '42', PREFIX, rendition)).toContain('--hdr');
    expect(transcoderArgs(argsSpec, '42', PREFIX, rendition)).not.toContain('--hdr');
    const ladder = {
      type: 'ladder' as const,
      name: 'job-42-ladder',
      renditions: argsSpec.renditions,
    };
    expect(transcoderArgs({ ...argsSpec, hdr: true }, '42', PREFIX, ladder)).toContain('--hdr');
    const finalize = { type: 'finalize' as const, name: 'job-42-finalize', renditions: ['720p'] };
    expect(transcoderArgs({ ...argsSpec, hdr: true }, '42', PREFIX, finalize)).not.toContain(
      '--hdr',
    );
  });
});

describe('codec families in a Job', () => {
  const ladder = { type: 'ladder' as const, name: 'job-42-ladder', renditions: spec.renditions };
  const finalize = { type: 'finalize' as const, name: 'job-42-finalize', renditions: ['720p'] };
  const av1 = { ...spec, codecs: ['h264' as const, 'av1' as const] };

  it('passes --codecs to the workloads that encode when spec.codecs asks for families', () => {
    expect(transcoderArgs(av1, '42', PREFIX, rendition)).toEqual(
      expect.arrayContaining(['--codecs', 'h264,av1']),
    );
    expect(transcoderArgs(av1, '42', PREFIX, ladder)).toEqual(
      expect.arrayContaining(['--codecs', 'h264,av1']),
    );
    expect(transcoderArgs(av1, '42', PREFIX, finalize)).not.toContain('--codecs');
    expect(transcoderArgs(spec, '42', PREFIX, rendition)).not.toContain('--codecs');
  });

  it("requests CPU by the families' encode cost, and leaves H.264 alone as configured", () => {
    const cpu = (s: typeof spec, request: typeof rendition | typeof ladder | typeof finalize) =>
      buildJobManifest(resource, s, request, settings).spec?.template.spec?.containers[0]
        ?.resources;
    expect(cpu(spec, rendition)?.requests?.cpu).toBe('1');
    // 1 (H.264) + 1.9 (AV1) times the rendition's one CPU; memory and storage untouched.
    expect(cpu(av1, rendition)).toEqual({
      requests: { cpu: '2900m', memory: '1Gi', 'ephemeral-storage': '20Gi' },
      limits: { memory: '2Gi', 'ephemeral-storage': '20Gi' },
    });
    expect(cpu({ ...spec, codecs: ['h264', 'hevc', 'av1'] }, ladder)?.requests?.cpu).toBe('5200m');
    expect(cpu(av1, finalize)?.requests?.cpu).toBe('1');
  });

  it('scales a CPU limit with the request, and reads millicores', () => {
    expect(
      withCodecCost({ requests: { cpu: '500m' }, limits: { cpu: '1.5' } }, ['h264', 'hevc']),
    ).toEqual({ requests: { cpu: '1650m' }, limits: { cpu: '4950m' } });
  });
});

describe('the transcoder invocation in a Job', () => {
  const requests = [
    rendition,
    { type: 'ladder' as const, name: 'job-42-ladder', renditions: spec.renditions },
    { type: 'tracks' as const, name: 'job-42-tracks', audioBitrate: '160k' },
    { type: 'finalize' as const, name: 'job-42-finalize', renditions: ['720p'] },
  ];

  it.each(requests)('runs args the transcoder reads back as the $type invocation', (request) => {
    const [container] = buildJobManifest(resource, spec, request, settings).spec!.template.spec!
      .containers;
    expect(container!.command).toEqual(['videoforge-transcode']);
    const parsed = parseArgv(container!.args!);
    expect(parsed).toEqual({
      ok: true,
      invocation: transcoderInvocation(spec, '42', 'videos/output/42/', request),
    });
    expect(parsed.ok && parsed.invocation).toMatchObject({
      command: request.type,
      source: { kind: 'key', key: spec.source.key },
      jobId: '42',
      outputPrefix: 'videos/output/42/',
    });
  });

  it('fails the Job at once on the bad-input exit code, ignores evictions, retries the rest maxRetries times', () => {
    const job = buildJobManifest(resource, { ...spec, maxRetries: 3 }, rendition, settings);
    expect(job.spec!.backoffLimit).toBe(3);
    expect(job.spec!.podFailurePolicy!.rules).toEqual([
      {
        action: 'FailJob',
        onExitCodes: {
          containerName: 'transcode',
          operator: 'In',
          values: [TRANSCODER_EXIT.badInput],
        },
      },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(TRANSCODER_EXIT.badInput).toBe(2);
  });

  it('gives finalize at least one retry even when the TranscodeJob allows none', () => {
    const finalize = { type: 'finalize' as const, name: 'job-42-finalize', renditions: ['720p'] };
    expect(
      buildJobManifest(resource, { ...spec, maxRetries: 0 }, finalize, settings).spec!.backoffLimit,
    ).toBe(1);
    expect(
      buildJobManifest(resource, { ...spec, maxRetries: 0 }, rendition, settings).spec!
        .backoffLimit,
    ).toBe(0);
  });

  it('works under videos/output/{name}/ for a hand-made TranscodeJob without a jobId', () => {
    const handMade = TranscodeJobSpec.parse({ ...spec, jobId: undefined, outputPrefix: undefined });
    const args = buildJobManifest(resource, handMade, rendition, settings).spec!.template.spec!
      .containers[0]!.args!;
    expect(parseArgv(args)).toMatchObject({
      ok: true,
      invocation: { jobId: 'job-42', outputPrefix: 'videos/output/job-42/' },
    });
  });
});

describe('chunked strategy Jobs', () => {
  const chunk = {
    type: 'chunk' as const,
    name: 'job-42-chunk-2',
    chunk: { index: 2, startSegment: 50, segmentCount: 25 },
    segmentSeconds: 6,
    renditions: spec.renditions,
  };

  it('runs one chunk per Job with its own retries, labelled and owned like every workload', () => {
    const job = buildJobManifest(resource, spec, chunk, settings);
    expect(job.spec?.backoffLimit).toBe(spec.maxRetries);
    expect(job.metadata?.labels?.['videoforge.io/workload-type']).toBe('chunk');
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ uid: 'uid-42', controller: true });
    expect(job.metadata?.annotations?.['videoforge.io/renditions']).toBe('720p');
  });

  it('passes the chunk’s place on the segment grid, and the chunk count to stitch', () => {
    const args = transcoderArgs(spec, '42', 'videos/output/42/', chunk);
    expect(parseArgv(args)).toMatchObject({
      ok: true,
      invocation: {
        command: 'chunk',
        chunkIndex: 2,
        startSegment: 50,
        segmentCount: 25,
        segmentSeconds: 6,
        renditions: ['720p'],
      },
    });
    expect(
      transcoderInvocation(spec, '42', 'videos/output/42/', {
        type: 'stitch',
        name: 'job-42-stitch',
        chunks: 4,
        renditions: spec.renditions,
      }),
    ).toMatchObject({ command: 'stitch', chunks: 4, renditions: ['720p'] });
  });
});
