import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { describeWith } from '../support/components.ts';
import { kubectl, loadKubeConfig, statusMessage } from './kube-test-utils.ts';

const group = 'videoforge.io';
const version = 'v1alpha1';
const plural = 'transcodejobs';

function transcodeJob(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: `${group}/${version}`,
    kind: 'TranscodeJob',
    metadata: { name },
    spec: {
      jobId: '42',
      videoId: '17',
      source: { bucket: 'video-forge-storage', key: 'videos/raw/17.mp4' },
      renditions: [
        { name: '1080p', height: 1080, videoBitrate: '4000k' },
        { name: '720p', height: 720, videoBitrate: '2500k' },
      ],
      outputPrefix: 'videos/output/42/',
      ...spec,
    },
  };
}

describeWith(['kubernetes'], 'the TranscodeJob CRD from crds/', () => {
  let kubeconfig: string;
  let namespace: string;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  beforeAll(async () => {
    kubeconfig = inject('kubeconfig');
    const kc = loadKubeConfig(kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    namespace = `crd-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    if (namespace) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  const create = (body: Record<string, unknown>): Promise<object> =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body });
  const rejection = async (body: Record<string, unknown>): Promise<string> => {
    try {
      await create(body);
    } catch (error) {
      return statusMessage(error);
    }
    throw new Error('the API server accepted an invalid TranscodeJob');
  };

  it('is Established with a structural schema', async () => {
    const crd = await loadKubeConfig(kubeconfig)
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'transcodejobs.videoforge.io' });
    const conditions = Object.fromEntries(
      (crd.status?.conditions ?? []).map((c) => [c.type, c.status]),
    );
    expect(conditions).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
    expect(conditions.NonStructuralSchema).toBeUndefined();
    expect(crd.status?.acceptedNames?.shortNames).toEqual(['tj']);
  });

  it('applies the schema defaults', async () => {
    const created = (await create(transcodeJob('defaults'))) as { spec: Record<string, unknown> };
    expect(created.spec).toMatchObject({ priority: 0, maxRetries: 2, strategy: 'perRendition' });
    expect(created.spec.cancel).toBeUndefined();
  });

  it.each([
    [
      'a height below 144',
      { renditions: [{ name: '360p', height: 100, videoBitrate: '800k' }] },
      'spec.renditions[0].height: Invalid value: 100: spec.renditions[0].height in body should be greater than or equal to 144',
    ],
    [
      'a bit rate without its k',
      { renditions: [{ name: '720p', height: 720, videoBitrate: '2500' }] },
      `spec.renditions[0].videoBitrate in body should match '^[0-9]+k$'`,
    ],
    [
      'an unknown rendition name',
      { renditions: [{ name: '999p', height: 999, videoBitrate: '100k' }] },
      'spec.renditions[0].name: Unsupported value: "999p"',
    ],
    [
      'a duplicate rendition',
      {
        renditions: [
          { name: '720p', height: 720, videoBitrate: '2500k' },
          { name: '720p', height: 720, videoBitrate: '2000k' },
        ],
      },
      'spec.renditions[1]: Duplicate value',
    ],
    [
      'maxRetries above 10',
      { maxRetries: 11 },
      'spec.maxRetries in body should be less than or equal to 10',
    ],
    ['an unknown strategy', { strategy: 'fastest' }, 'spec.strategy: Unsupported value: "fastest"'],
    [
      'an outputPrefix without a trailing slash',
      { outputPrefix: 'videos/output/42' },
      "outputPrefix must end with '/'",
    ],
    ['no renditions', { renditions: [] }, 'spec.renditions in body should have at least 1 items'],
  ])('rejects %s with the schema message', async (_what, spec, message) => {
    expect(await rejection(transcodeJob('invalid', spec))).toContain(message);
  });

  it('keeps source immutable', async () => {
    await create(transcodeJob('immutable'));
    const error = await custom
      .patchNamespacedCustomObject(
        {
          group,
          version,
          namespace,
          plural,
          name: 'immutable',
          body: { spec: { source: { bucket: 'other-bucket', key: 'x' } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .then(
        () => 'accepted',
        (e: unknown) => statusMessage(e),
      );
    expect(error).toContain('source is immutable');
  });

  it('shows the printer columns in kubectl get transcodejobs (and the tj short name)', async () => {
    await create(transcodeJob('job-42'));
    await custom.patchNamespacedCustomObjectStatus(
      {
        group,
        version,
        namespace,
        plural,
        name: 'job-42',
        body: {
          status: {
            phase: 'Running',
            progress: 40,
            renditionsSummary: '1/2',
            observedGeneration: 1,
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const { stdout } = await kubectl(kubeconfig, [
      'get',
      'transcodejobs',
      '-n',
      namespace,
      'job-42',
    ]);
    const [header, row] = stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'NAME',
      'PHASE',
      'PROGRESS',
      'RENDITIONS',
      'VIDEO',
      'AGE',
    ]);
    expect(row?.split(/\s+/).slice(0, 5)).toEqual(['job-42', 'Running', '40', '1/2', '17']);
    const short = await kubectl(kubeconfig, [
      'get',
      'tj',
      '-n',
      namespace,
      'job-42',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    expect(short.stdout).toBe('Running');
  });

  it('rejects a status outside its schema through the status subresource', async () => {
    await create(transcodeJob('bad-status'));
    const message = await custom
      .patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace,
          plural,
          name: 'bad-status',
          body: { status: { phase: 'Exploded', progress: 101 } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .then(
        () => 'accepted',
        (e: unknown) => statusMessage(e),
      );
    expect(message).toContain('status.phase: Unsupported value: "Exploded"');
    expect(message).toContain(
      'status.progress: Invalid value: 101: progress in body should be less than or equal to 100',
    );
  });
});
