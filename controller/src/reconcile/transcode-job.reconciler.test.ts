import { describe, expect, it } from 'vitest';
import type { TranscodeJobResource } from '@videoforge/contracts';
import { childName } from './child-name.ts';
import { reconcileTranscodeJob, resourceChanges } from './transcode-job.reconciler.ts';
import type { ObservedWorkload } from './workload.ts';

const now = new Date('2026-11-28T12:00:00.000Z');
const later = new Date('2026-11-28T12:05:00.000Z');

function job(
  overrides: Partial<TranscodeJobResource['spec']> = {},
  metadata: Partial<TranscodeJobResource['metadata']> = {},
): TranscodeJobResource {
  return {
    apiVersion: 'videoforge.io/v1alpha1',
    kind: 'TranscodeJob',
    metadata: { name: 'job-42', namespace: 'videoforge', generation: 1, ...metadata },
    spec: {
      jobId: '42',
      videoId: '17',
      source: { bucket: 'video-forge-storage', key: 'videos/raw/1/a/clip.mp4' },
      renditions: [
        { name: '1080p', height: 1080, videoBitrate: '4000k' },
        { name: '720p', height: 720, videoBitrate: '2000k' },
      ],
      outputPrefix: 'videos/output/42/',
      priority: 0,
      maxRetries: 2,
      strategy: 'perRendition',
      ...overrides,
    },
  };
}

function workload(
  name: string,
  state: ObservedWorkload['state'],
  extra: Partial<ObservedWorkload> = {},
): ObservedWorkload {
  const rendition = name.replace('job-42-', '');
  return {
    name,
    type: rendition === 'finalize' || rendition === 'tracks' ? rendition : 'rendition',
    renditions: [rendition],
    state,
    attempts: 1,
    ...extra,
  };
}

describe('reconcileTranscodeJob', () => {
  it('asks the tracks workload for the highest audio bit rate of the renditions, and plans none for a ladder', () => {
    const spec = job({
      renditions: [
        { name: '720p', height: 720, videoBitrate: '2000k', audioBitrate: '96k' },
        { name: '360p', height: 360, videoBitrate: '600k', audioBitrate: '160k' },
      ],
    });
    expect(reconcileTranscodeJob(spec, [], now).create[0]).toEqual({
      type: 'tracks',
      name: 'job-42-tracks',
      audioBitrate: '160k',
    });
    expect(
      reconcileTranscodeJob(job({ strategy: 'ladder' }), [], now).create.map((w) => w.type),
    ).toEqual(['ladder']);
  });

  it('reports the tracks workload in status.tracks (the ladder Job for the ladder strategy)', () => {
    const running = reconcileTranscodeJob(
      job(),
      [workload('job-42-tracks', 'active', { startedAt: now })],
      now,
    );
    expect(running.status.tracks).toEqual({
      phase: 'Running',
      workload: 'job-42-tracks',
      attempts: 1,
    });
    const failed = reconcileTranscodeJob(
      job(),
      [
        workload('job-42-tracks', 'failed', {
          failure: { kind: 'transient', message: 'ffmpeg died' },
        }),
      ],
      now,
    );
    expect(failed.status.tracks).toMatchObject({ phase: 'Failed', message: 'ffmpeg died' });
    expect(failed.status.phase).toBe('Failed');
    const ladder = reconcileTranscodeJob(
      job({ strategy: 'ladder' }),
      [{ ...workload('job-42-ladder', 'succeeded'), type: 'ladder' }],
      now,
    );
    expect(ladder.status.tracks).toMatchObject({ phase: 'Succeeded', workload: 'job-42-ladder' });
  });

  it('starts one workload per rendition for a new job', () => {
    const decision = reconcileTranscodeJob(job(), [], now);
    expect(decision.create).toEqual([
      // The audio and subtitle tracks: encoded once for both renditions, beside them (first:
      // short, and a rendition plays only once its sound is there).
      { type: 'tracks', name: 'job-42-tracks' },
      {
        type: 'rendition',
        name: 'job-42-1080p',
        rendition: { name: '1080p', height: 1080, videoBitrate: '4000k' },
      },
      {
        type: 'rendition',
        name: 'job-42-720p',
        rendition: { name: '720p', height: 720, videoBitrate: '2000k' },
      },
    ]);
    expect(decision.status).toMatchObject({
      phase: 'Pending',
      progress: 0,
      renditionsSummary: '0/2',
      observedGeneration: 1,
    });
    // The status names the workloads once they exist; an Event would say it a second time.
    expect(decision.events).toEqual([]);
  });

  it('creates nothing twice: a pass over the same world asks for no new workloads', () => {
    const world = [
      workload('job-42-1080p', 'active'),
      workload('job-42-720p', 'active'),
      workload('job-42-tracks', 'active'),
    ];
    const decision = reconcileTranscodeJob(job(), world, now);
    expect(decision.create).toEqual([]);
    expect(decision.delete).toEqual([]);
    expect(decision.status.phase).toBe('Running');
    // Nothing polled: the workloads' own changes bring the next pass.
    expect(decision.requeueAfterMs).toBeUndefined();
  });

  it('asks to look again only while the progress of a workload is polled', () => {
    const world = [
      workload('job-42-1080p', 'active', { progressPolled: true }),
      workload('job-42-720p', 'active'),
    ];
    expect(reconcileTranscodeJob(job(), world, now).requeueAfterMs).toBe(5_000);
    const done = world.map((w) => ({ ...w, state: 'succeeded' as const }));
    expect(reconcileTranscodeJob(job(), done, now).requeueAfterMs).toBeUndefined();
  });

  it('rebuilds progress and per-rendition status from the workloads', () => {
    const decision = reconcileTranscodeJob(
      job(),
      [
        workload('job-42-1080p', 'active', { progress: 50, startedAt: now }),
        workload('job-42-720p', 'succeeded', { completedAt: later }),
      ],
      now,
    );
    // (50 + 100) / 2 = 75 % of the renditions' 95 % share.
    expect(decision.status.progress).toBe(71);
    expect(decision.status.renditionsSummary).toBe('1/2');
    expect(decision.status.renditions).toEqual([
      {
        name: '1080p',
        phase: 'Running',
        workload: 'job-42-1080p',
        attempts: 1,
        progress: 50,
        startedAt: '2026-11-28T12:00:00Z',
      },
      {
        name: '720p',
        phase: 'Succeeded',
        workload: 'job-42-720p',
        attempts: 1,
        progress: 100,
        completedAt: '2026-11-28T12:05:00Z',
      },
    ]);
  });

  it('calls a rendition pending until its workload has started (waiting for a slot or a pod)', () => {
    const decision = reconcileTranscodeJob(
      job(),
      [
        workload('job-42-1080p', 'active', { progress: 40, startedAt: now }),
        workload('job-42-720p', 'active', { attempts: 0 }),
      ],
      now,
    );
    expect(decision.status.phase).toBe('Running');
    expect(decision.status.renditions?.map((r) => [r.name, r.phase])).toEqual([
      ['1080p', 'Running'],
      ['720p', 'Pending'],
    ]);
  });

  it('finalizes once every rendition is done, and succeeds when finalize has', () => {
    const renditionsDone = [
      workload('job-42-1080p', 'succeeded'),
      workload('job-42-720p', 'succeeded'),
      workload('job-42-tracks', 'succeeded'),
    ];
    // Not before the tracks: the progressive MP4s get the main mix then.
    expect(
      reconcileTranscodeJob(
        job(),
        [...renditionsDone.slice(0, 2), workload('job-42-tracks', 'active')],
        now,
      ).create,
    ).toEqual([]);
    const finalizing = reconcileTranscodeJob(job(), renditionsDone, now);
    expect(finalizing.create).toEqual([
      { type: 'finalize', name: 'job-42-finalize', renditions: ['1080p', '720p'] },
    ]);
    expect(finalizing.status.progress).toBe(95);

    const succeeded = reconcileTranscodeJob(
      job(),
      [...renditionsDone, workload('job-42-finalize', 'succeeded')],
      later,
    );
    expect(succeeded.create).toEqual([]);
    expect(succeeded.status).toMatchObject({
      phase: 'Succeeded',
      progress: 100,
      renditionsSummary: '2/2',
    });
    expect(succeeded.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
    expect(succeeded.events).toEqual([expect.objectContaining({ reason: 'Succeeded' })]);
  });

  it('says what was done to the picture, as the transcoder reported it', () => {
    const processing = {
      sourceDynamicRange: 'PQ',
      toneMapped: true,
      toneMapCurve: 'mobius',
      interlaceDetectedBy: 'field-order',
      deinterlaced: 'field-rate',
    } as const;
    const decision = reconcileTranscodeJob(
      job(),
      [workload('job-42-1080p', 'succeeded', { processing }), workload('job-42-720p', 'active')],
      now,
    );
    expect(decision.status.video).toEqual(processing);
    expect(reconcileTranscodeJob(job(), [], now).status.video).toBeUndefined();
  });

  it("records each finished rendition's measured quality in its status", () => {
    const quality = { ssim: 0.97, psnrDb: 41.2, sampledSeconds: 6 };
    const decision = reconcileTranscodeJob(
      job(),
      [
        workload('job-42-1080p', 'succeeded', { quality: { '1080p': quality } }),
        workload('job-42-720p', 'active', { quality: { '720p': quality } }),
      ],
      now,
    );
    const byName = new Map(decision.status.renditions?.map((r) => [r.name, r]));
    expect(byName.get('1080p')?.quality).toEqual(quality);
    // Only a finished rendition's figure is the quality the user gets.
    expect(byName.get('720p')?.quality).toBeUndefined();
  });

  it("records each finished rendition's twins' measured quality beside its own", () => {
    const quality = { ssim: 0.97, psnrDb: 41.2, sampledSeconds: 6 };
    const av1 = { ssim: 0.96, psnrDb: 40.1, sampledSeconds: 6 };
    const decision = reconcileTranscodeJob(
      job(),
      [
        workload('job-42-1080p', 'succeeded', {
          quality: { '1080p': quality },
          twinQuality: { '1080p': [{ variant: '1080p-av1', quality: av1 }] },
        }),
      ],
      now,
    );
    const byName = new Map(decision.status.renditions?.map((r) => [r.name, r]));
    expect(byName.get('1080p')?.twins).toEqual([{ variant: '1080p-av1', quality: av1 }]);
    expect(byName.get('720p')?.twins).toBeUndefined();
  });

  it('fails the job on bad input and stops the other renditions', () => {
    const decision = reconcileTranscodeJob(
      job(),
      [
        workload('job-42-1080p', 'failed', {
          failure: { kind: 'bad-input', message: 'not a video: text file' },
        }),
        workload('job-42-720p', 'active'),
      ],
      now,
    );
    expect(decision.create).toEqual([]);
    expect(decision.delete).toEqual(['job-42-720p']);
    expect(decision.status.phase).toBe('Failed');
    expect(decision.status.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BadInput',
      message: 'job-42-1080p: not a video: text file',
    });
    expect(decision.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'BadInput' }),
    ]);
  });

  it('does not repeat a failure event once the status says Failed', () => {
    const failed = [
      workload('job-42-1080p', 'failed', {
        failure: { kind: 'transient', message: 'retries exhausted' },
      }),
    ];
    const first = reconcileTranscodeJob(job(), failed, now);
    const second = reconcileTranscodeJob({ ...job(), status: first.status }, failed, later);
    expect(second.events).toEqual([]);
    expect(second.status).toEqual(first.status);
  });

  it('cancels: stops active workloads and reports Cancelled', () => {
    const decision = reconcileTranscodeJob(
      job({ cancel: true }),
      [workload('job-42-1080p', 'active'), workload('job-42-720p', 'succeeded')],
      now,
    );
    expect(decision.create).toEqual([]);
    expect(decision.delete).toEqual(['job-42-1080p']);
    expect(decision.status.phase).toBe('Cancelled');
    expect(decision.status.renditions?.map((r) => r.phase)).toEqual(['Cancelled', 'Succeeded']);
  });

  it('treats a deleted TranscodeJob like a cancelled one', () => {
    const decision = reconcileTranscodeJob(
      job({}, { deletionTimestamp: now.toISOString() }),
      [workload('job-42-720p', 'active')],
      now,
    );
    expect(decision.delete).toEqual(['job-42-720p']);
    expect(decision.status.conditions?.[0]).toMatchObject({ reason: 'Deleted' });
  });

  it('marks an invalid spec terminally, without workloads', () => {
    const bad = job({ renditions: [{ name: 'huge', height: 99999, videoBitrate: 'fast' }] });
    const decision = reconcileTranscodeJob(bad, [], now);
    expect(decision.create).toEqual([]);
    expect(decision.requeueAfterMs).toBeUndefined();
    expect(decision.status.phase).toBe('Failed');
    expect(decision.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
    });
    expect(decision.status.conditions?.[0]?.message).toMatch(/renditions\.0\.name/);
  });

  it('runs one decode-once workload for the ladder strategy', () => {
    const decision = reconcileTranscodeJob(job({ strategy: 'ladder' }), [], now);
    expect(decision.create).toEqual([
      { type: 'ladder', name: 'job-42-ladder', renditions: job().spec.renditions },
    ]);
    const running = reconcileTranscodeJob(
      job({ strategy: 'ladder' }),
      [
        {
          name: 'job-42-ladder',
          type: 'ladder',
          renditions: ['1080p', '720p'],
          state: 'active',
          attempts: 1,
          progress: 40,
        },
      ],
      now,
    );
    expect(running.status.renditions?.map((r) => [r.name, r.phase, r.progress])).toEqual([
      ['1080p', 'Running', 40],
      ['720p', 'Running', 40],
    ]);
  });

  it('lets the runtime choose for strategy auto, and keeps the choice once made', () => {
    const auto = job({ strategy: 'auto' });
    const oneMachine = reconcileTranscodeJob(auto, [], now, { autoStrategy: 'ladder' });
    expect(oneMachine.create.map((w) => w.name)).toEqual(['job-42-ladder']);
    expect(oneMachine.status.strategy).toBe('ladder');
    const cluster = reconcileTranscodeJob(auto, [], now, { autoStrategy: 'perRendition' });
    expect(cluster.create.map((w) => w.name)).toEqual([
      'job-42-tracks',
      'job-42-1080p',
      'job-42-720p',
    ]);
    expect(cluster.status.strategy).toBe('perRendition');

    // A job that started as a ladder stays one after the setting changes.
    const started = { ...auto, status: oneMachine.status };
    const after = reconcileTranscodeJob(started, [], later, { autoStrategy: 'perRendition' });
    expect(after.create.map((w) => w.name)).toEqual(['job-42-ladder']);
    // An explicit strategy is never overridden.
    expect(
      reconcileTranscodeJob(job({ strategy: 'perRendition' }), [], now, {
        autoStrategy: 'ladder',
      }).status.strategy,
    ).toBe('perRendition');
  });

  it('keeps lastTransitionTime while a condition holds, and moves it when it flips', () => {
    const first = reconcileTranscodeJob(
      job(),
      [workload('job-42-1080p', 'active'), workload('job-42-720p', 'active')],
      now,
    );
    const again = reconcileTranscodeJob(
      { ...job(), status: first.status },
      [workload('job-42-1080p', 'active'), workload('job-42-720p', 'active')],
      later,
    );
    expect(again.status.conditions).toEqual(first.status.conditions);
    const done = [
      workload('job-42-1080p', 'succeeded'),
      workload('job-42-720p', 'succeeded'),
      workload('job-42-finalize', 'succeeded'),
    ];
    const flipped = reconcileTranscodeJob({ ...job(), status: again.status }, done, later);
    expect(flipped.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(
      '2026-11-28T12:05:00Z',
    );
  });
});

describe('childName', () => {
  it('is the parent and suffix when short', () => {
    expect(childName('job-42', '1080p')).toBe('job-42-1080p');
  });

  it('stays within 63 characters, deterministic and distinct for long parents', () => {
    const parent = `job-${'9'.repeat(70)}`;
    const a = childName(parent, '1080p');
    const b = childName(parent, '720p');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toBe(childName(parent, '1080p'));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });
});

describe('a deleted TranscodeJob', () => {
  const deleted = (finalizers: string[]) =>
    job({}, { deletionTimestamp: later.toISOString(), finalizers });

  it('waits for its workloads to stop before the cleanup, looking again soon', () => {
    const decision = reconcileTranscodeJob(
      deleted(['videoforge.io/cleanup']),
      [workload('job-42-1080p', 'active', { progressPolled: true })],
      now,
    );
    expect(decision.delete).toEqual(['job-42-1080p']);
    expect(decision.removeFinalizer).toBeUndefined();
    expect(decision.requeueAfterMs).toBe(1_000);
  });

  it('runs the cleanup and removes the finalizer once nothing is active', () => {
    const decision = reconcileTranscodeJob(
      deleted(['videoforge.io/cleanup']),
      [workload('job-42-1080p', 'failed')],
      now,
    );
    expect(decision.removeFinalizer).toBe(true);
    expect(decision.requeueAfterMs).toBeUndefined();
  });

  it('leaves finalizers that are not ours alone', () => {
    expect(
      reconcileTranscodeJob(deleted(['example.com/other']), [], now).removeFinalizer,
    ).toBeUndefined();
  });
});

describe('resourceChanges', () => {
  const facts = { cancelledThroughApi: false, canAdopt: true };
  const withFinalizer = { finalizers: ['videoforge.io/cleanup'] };

  it('adds the cleanup finalizer to a TranscodeJob born without it', () => {
    expect(resourceChanges(job(), facts)).toEqual([{ type: 'addFinalizer' }]);
    expect(resourceChanges(job({}, withFinalizer), facts)).toEqual([]);
  });

  it('adopts a hand-made TranscodeJob (no jobId) when the runtime can create its rows', () => {
    expect(resourceChanges(job({ jobId: undefined }, withFinalizer), facts)).toEqual([
      { type: 'adopt' },
    ]);
    expect(
      resourceChanges(job({ jobId: undefined }, withFinalizer), { ...facts, canAdopt: false }),
    ).toEqual([]);
  });

  it('copies a cancel made through the API into spec.cancel, once', () => {
    const cancelled = { ...facts, cancelledThroughApi: true };
    expect(resourceChanges(job({}, withFinalizer), cancelled)).toEqual([{ type: 'markCancelled' }]);
    expect(resourceChanges(job({ cancel: true }, withFinalizer), cancelled)).toEqual([]);
  });

  it('changes nothing on a TranscodeJob being deleted, or with an invalid spec', () => {
    const cancelled = { cancelledThroughApi: true, canAdopt: true };
    expect(
      resourceChanges(
        job({ jobId: undefined }, { deletionTimestamp: later.toISOString() }),
        cancelled,
      ),
    ).toEqual([]);
    expect(resourceChanges(job({ renditions: [] }, withFinalizer), cancelled)).toEqual([]);
  });
});
