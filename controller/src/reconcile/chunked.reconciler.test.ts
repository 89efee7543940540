import { describe, expect, it } from 'vitest';
import type { TranscodeJobResource } from '@videoforge/contracts';
import { reconcileTranscodeJob, type Placement } from './transcode-job.reconciler.ts';
import type { ObservedWorkload } from './workload.ts';

const now = new Date('2026-11-28T12:00:00.000Z');
const CLUSTER: Placement = { autoStrategy: 'perRendition', runsChunks: true };

/** 60 s of 6 s segments = 10 segments; maxParallel 4 → chunks of 3, 3, 2, 2 segments. */
function job(
  chunking: NonNullable<TranscodeJobResource['spec']['chunking']> = {
    maxParallel: 4,
    durationSeconds: 60,
  },
  extra: Partial<TranscodeJobResource['spec']> = {},
): TranscodeJobResource {
  return {
    apiVersion: 'videoforge.io/v1alpha1',
    kind: 'TranscodeJob',
    metadata: { name: 'job-42', namespace: 'videoforge', generation: 1 },
    spec: {
      jobId: '42',
      source: { bucket: 'video-forge-storage', key: 'videos/raw/1/a/clip.mp4' },
      renditions: [
        { name: '1080p', height: 1080, videoBitrate: '4000k' },
        { name: '720p', height: 720, videoBitrate: '2000k' },
      ],
      outputPrefix: 'videos/output/42/',
      priority: 0,
      maxRetries: 2,
      strategy: 'chunked',
      chunking,
      ...extra,
    },
  };
}

function seen(
  name: string,
  state: ObservedWorkload['state'],
  extra: Partial<ObservedWorkload> = {},
): ObservedWorkload {
  const suffix = name.replace('job-42-', '');
  const type = suffix.startsWith('chunk-') ? 'chunk' : (suffix as ObservedWorkload['type']);
  return { name, type, renditions: [], state, attempts: 1, ...extra };
}

const chunkNames = ['job-42-chunk-0', 'job-42-chunk-1', 'job-42-chunk-2', 'job-42-chunk-3'];

describe('the chunked strategy', () => {
  it('starts the tracks workload and one workload per chunk, each with its place on the segment grid', () => {
    const decision = reconcileTranscodeJob(job(), [], now, CLUSTER);
    expect(decision.create.map((w) => w.name)).toEqual(['job-42-tracks', ...chunkNames]);
    expect(
      decision.create.flatMap((w) => (w.type === 'chunk' ? [[w.chunk, w.segmentSeconds]] : [])),
    ).toEqual([
      [{ index: 0, startSegment: 0, segmentCount: 3 }, 6],
      [{ index: 1, startSegment: 3, segmentCount: 3 }, 6],
      [{ index: 2, startSegment: 6, segmentCount: 2 }, 6],
      [{ index: 3, startSegment: 8, segmentCount: 2 }, 6],
    ]);
    expect(decision.status).toMatchObject({
      strategy: 'chunked',
      phase: 'Pending',
      chunks: { total: 4, succeeded: 0, running: 0, summary: '0/4' },
    });
  });

  it('runs as the decode-once ladder where the runtime is one machine (all-in-one)', () => {
    const decision = reconcileTranscodeJob(job(), [], now, { autoStrategy: 'ladder' });
    expect(decision.create.map((w) => w.type)).toEqual(['ladder']);
    expect(decision.status.strategy).toBe('ladder');
  });

  it('keeps at most maxParallel chunks running when a chunk length makes more chunks', () => {
    // 10 segments in chunks of 1 (6 s): ten chunks, two at a time.
    const spec = job({ maxParallel: 2, chunkSeconds: 6, durationSeconds: 60 });
    const first = reconcileTranscodeJob(spec, [], now, CLUSTER);
    expect(first.create.filter((w) => w.type === 'chunk').map((w) => w.name)).toEqual([
      'job-42-chunk-0',
      'job-42-chunk-1',
    ]);
    const next = reconcileTranscodeJob(
      spec,
      [
        seen('job-42-tracks', 'active'),
        seen('job-42-chunk-0', 'succeeded'),
        seen('job-42-chunk-1', 'active'),
      ],
      now,
      CLUSTER,
    );
    expect(next.create.map((w) => w.name)).toEqual(['job-42-chunk-2']);
  });

  it('aggregates progress over chunks, weighted by their segments, and lists retried chunks', () => {
    const decision = reconcileTranscodeJob(
      job(),
      [
        seen('job-42-tracks', 'succeeded'),
        seen('job-42-chunk-0', 'succeeded'),
        seen('job-42-chunk-1', 'active', { progress: 50, attempts: 2 }),
        seen('job-42-chunk-2', 'active', { progress: 0 }),
        seen('job-42-chunk-3', 'active', { progress: 0, attempts: 0 }),
      ],
      now,
      CLUSTER,
    );
    // (3·100 + 3·50) / 10 segments = 45 % of the renditions' 95 %.
    expect(decision.status.renditions?.map((r) => [r.phase, r.progress])).toEqual([
      ['Running', 45],
      ['Running', 45],
    ]);
    expect(decision.status.progress).toBe(42);
    expect(decision.status.chunks).toEqual({
      total: 4,
      succeeded: 1,
      running: 3,
      retried: [1],
      summary: '1/4',
    });
    expect(decision.create).toEqual([]);
  });

  it('stitches once every chunk is done, then finalizes once the tracks are done too', () => {
    const chunksDone = chunkNames.map((name) => seen(name, 'succeeded'));
    const stitch = reconcileTranscodeJob(
      job(),
      [seen('job-42-tracks', 'active'), ...chunksDone],
      now,
      CLUSTER,
    );
    expect(stitch.create).toEqual([
      {
        type: 'stitch',
        name: 'job-42-stitch',
        chunks: 4,
        renditions: job().spec.renditions,
      },
    ]);
    const waitingForTracks = reconcileTranscodeJob(
      job(),
      [seen('job-42-tracks', 'active'), ...chunksDone, seen('job-42-stitch', 'succeeded')],
      now,
      CLUSTER,
    );
    expect(waitingForTracks.create).toEqual([]);
    expect(waitingForTracks.status.renditionsSummary).toBe('2/2');
    const finalize = reconcileTranscodeJob(
      job(),
      [seen('job-42-tracks', 'succeeded'), ...chunksDone, seen('job-42-stitch', 'succeeded')],
      now,
      CLUSTER,
    );
    expect(finalize.create.map((w) => w.type)).toEqual(['finalize']);
  });

  it('fails the job when a chunk ran out of retries, naming it, and stops the other chunks', () => {
    const decision = reconcileTranscodeJob(
      job(),
      [
        seen('job-42-tracks', 'active'),
        seen('job-42-chunk-0', 'succeeded'),
        seen('job-42-chunk-1', 'failed', {
          attempts: 3,
          failure: { kind: 'transient', message: 'failed 3 time(s); retries exhausted' },
        }),
        seen('job-42-chunk-2', 'active'),
        seen('job-42-chunk-3', 'active'),
      ],
      now,
      CLUSTER,
    );
    expect(decision.status.phase).toBe('Failed');
    expect(decision.status.chunks).toMatchObject({ failed: [1], summary: '1/4' });
    expect(decision.delete.sort()).toEqual(['job-42-chunk-2', 'job-42-chunk-3', 'job-42-tracks']);
  });

  it('stops every chunk when the TranscodeJob is cancelled', () => {
    const decision = reconcileTranscodeJob(
      job(undefined, { cancel: true }),
      [seen('job-42-tracks', 'active'), ...chunkNames.map((name) => seen(name, 'active'))],
      now,
      CLUSTER,
    );
    expect(decision.status.phase).toBe('Cancelled');
    expect(decision.delete).toEqual(['job-42-tracks', ...chunkNames]);
    expect(decision.create).toEqual([]);
  });

  it('refuses a chunked spec without the source duration (InvalidSpec, nothing started)', () => {
    const decision = reconcileTranscodeJob(job({ maxParallel: 4 }), [], now, CLUSTER);
    expect(decision.create).toEqual([]);
    expect(decision.status.phase).toBe('Failed');
    expect(decision.status.conditions?.find((c) => c.type === 'Failed')?.reason).toBe(
      'InvalidSpec',
    );
  });
});

describe('strategy auto on a cluster: long titles are chunked', () => {
  // TRANSCODE_CHUNK_MIN_SECONDS as the operator passes it; the spec's duration is the upload's probe.
  const RULE: Placement = { ...CLUSTER, chunkMinSeconds: 600 };
  const auto = (
    durationSeconds: number | undefined,
    extra: Partial<TranscodeJobResource['spec']> = {},
  ) =>
    job(durationSeconds === undefined ? { maxParallel: 4 } : { maxParallel: 4, durationSeconds }, {
      strategy: 'auto',
      ...extra,
    });

  it('cuts a title at least TRANSCODE_CHUNK_MIN_SECONDS long into maxParallel chunks', () => {
    const decision = reconcileTranscodeJob(auto(600), [], now, RULE);
    expect(decision.status).toMatchObject({ strategy: 'chunked', chunks: { total: 4 } });
    expect(decision.create.map((w) => w.type)).toEqual([
      'tracks',
      'chunk',
      'chunk',
      'chunk',
      'chunk',
    ]);
  });

  it('gives a shorter title the configured auto strategy', () => {
    const decision = reconcileTranscodeJob(auto(599.9), [], now, RULE);
    expect(decision.status.strategy).toBe('perRendition');
    expect(decision.create.map((w) => w.type)).toEqual(['tracks', 'rendition', 'rendition']);
  });

  it('does not chunk when the duration is unknown, chunks may not run side by side, or an HDR set is asked for', () => {
    expect(reconcileTranscodeJob(auto(undefined), [], now, RULE).status.strategy).toBe(
      'perRendition',
    );
    const one = job({ maxParallel: 1, durationSeconds: 3600 }, { strategy: 'auto' });
    expect(reconcileTranscodeJob(one, [], now, RULE).status.strategy).toBe('perRendition');
    expect(reconcileTranscodeJob(auto(3600, { hdr: true }), [], now, RULE).status.strategy).toBe(
      'perRendition',
    );
  });

  it('never chunks on one machine (all-in-one) nor without a threshold', () => {
    const local: Placement = { autoStrategy: 'ladder', chunkMinSeconds: 600 };
    expect(reconcileTranscodeJob(auto(3600), [], now, local).status.strategy).toBe('ladder');
    expect(reconcileTranscodeJob(auto(3600), [], now, CLUSTER).status.strategy).toBe(
      'perRendition',
    );
  });

  it('keeps the strategy it started with when the threshold changes later', () => {
    const started = auto(3600);
    started.status = { phase: 'Running', strategy: 'chunked' };
    const decision = reconcileTranscodeJob(started, [], now, { ...CLUSTER, chunkMinSeconds: 7200 });
    expect(decision.status.strategy).toBe('chunked');
  });
});
