import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  loadYaml,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { describeWith } from '../support/components.ts';
import { kubectl, loadKubeConfig, statusMessage } from './kube-test-utils.ts';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

const crdFile = fileURLToPath(
  new URL('../../crds/transcodejobs.videoforge.io.yaml', import.meta.url),
);

function specSchema(): SchemaNode {
  const crd = loadYaml<{
    spec: { versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] };
  }>(readFileSync(crdFile, 'utf8'));
  const v1alpha1 = crd.spec.versions.find((v) => v.name === 'v1alpha1');
  const spec = v1alpha1?.schema.openAPIV3Schema.properties?.spec;
  if (!spec) throw new Error(`no v1alpha1 spec schema in ${crdFile}`);
  return spec;
}

const group = 'videoforge.io';
const version = 'v1alpha1';
const plural = 'transcodejobs';

function transcodeRenditions(
  name: string,
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
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
    const created = (await create(transcodeRenditions('defaults'))) as {
      spec: Record<string, unknown>;
    };
    expect(created.spec).toMatchObject({ priority: 0, maxRetries: 2, strategy: 'auto' });
    expect(created.spec.cancel).toBeUndefined();
  });

  // Expected messages come from the CRD file itself, so these prove the server
  // enforces exactly the schema in crds/ (whatever its bounds are today).
  const spec = specSchema();
  const rendition = spec.properties?.renditions?.items ?? {};
  const field = (node: SchemaNode | undefined, name: string): SchemaNode => {
    if (!node) throw new Error(`the CRD has no ${name}`);
    return node;
  };
  const height = field(rendition.properties?.height, 'rendition height');
  const bitrate = field(rendition.properties?.videoBitrate, 'rendition videoBitrate');
  const renditionName = field(rendition.properties?.name, 'rendition name');
  const maxRetries = field(spec.properties?.maxRetries, 'maxRetries');
  const outputPrefix = field(spec.properties?.outputPrefix, 'outputPrefix');
  const renditions = (list: object[]): Record<string, unknown> => ({ renditions: list });
  const violates = (node: SchemaNode, path: string, value: string): string =>
    node.enum
      ? `${path}: Unsupported value: "${value}"`
      : `${path} in body should match '${node.pattern ?? ''}'`;
  const outputPrefixRule = spec['x-kubernetes-validations']?.find((v) =>
    v.rule.includes('outputPrefix'),
  );

  it.each([
    [
      'a height below the minimum',
      renditions([{ name: '360p', height: (height.minimum ?? 0) - 1, videoBitrate: '800k' }]),
      `spec.renditions[0].height in body should be greater than or equal to ${height.minimum ?? ''}`,
    ],
    [
      'a height above the maximum',
      renditions([{ name: '360p', height: (height.maximum ?? 0) + 1, videoBitrate: '800k' }]),
      `spec.renditions[0].height in body should be less than or equal to ${height.maximum ?? ''}`,
    ],
    [
      'a bit rate without its k',
      renditions([{ name: '720p', height: 720, videoBitrate: '2500' }]),
      violates(bitrate, 'spec.renditions[0].videoBitrate', '2500'),
    ],
    [
      'a rendition name that is not a rendition',
      renditions([{ name: 'hd', height: 720, videoBitrate: '100k' }]),
      violates(renditionName, 'spec.renditions[0].name', 'hd'),
    ],
    [
      'a duplicate rendition',
      renditions([
        { name: '720p', height: 720, videoBitrate: '2500k' },
        { name: '720p', height: 720, videoBitrate: '2000k' },
      ]),
      'spec.renditions[1]: Duplicate value',
    ],
    [
      'maxRetries above the maximum',
      { maxRetries: (maxRetries.maximum ?? 0) + 1 },
      `spec.maxRetries in body should be less than or equal to ${maxRetries.maximum ?? ''}`,
    ],
    ['an unknown strategy', { strategy: 'fastest' }, 'spec.strategy: Unsupported value: "fastest"'],
    [
      'an outputPrefix without a trailing slash',
      { outputPrefix: 'videos/output/42' },
      outputPrefix.pattern
        ? violates(outputPrefix, 'spec.outputPrefix', '')
        : (outputPrefixRule?.message ?? 'no outputPrefix rule in the CRD'),
    ],
    [
      'an unknown codec family',
      { codecs: ['h264', 'vp9'] },
      'spec.codecs[1]: Unsupported value: "vp9"',
    ],
    ['a codec family twice', { codecs: ['h264', 'av1', 'av1'] }, 'spec.codecs[2]: Duplicate value'],
    [
      'codec families without h264',
      { codecs: ['av1'] },
      'must include h264, the compatible base every player decodes',
    ],
    [
      'no renditions',
      renditions([]),
      `spec.renditions in body should have at least ${spec.properties?.renditions?.minItems ?? ''} items`,
    ],
  ])('rejects %s with the schema message', async (_what, specPatch, message) => {
    expect(await rejection(transcodeRenditions('invalid', specPatch))).toContain(message);
  });

  it('takes codec families beside h264', async () => {
    const created = (await create(
      transcodeRenditions('families', { codecs: ['h264', 'hevc', 'av1'] }),
    )) as { spec: Record<string, unknown> };
    expect(created.spec.codecs).toEqual(['h264', 'hevc', 'av1']);
  });

  it('keeps source immutable', async () => {
    await create(transcodeRenditions('immutable'));
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
    await create(transcodeRenditions('job-42'));
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
            strategy: 'ladder',
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
    // What auto resolved to is there with -o wide.
    const wide = await kubectl(kubeconfig, ['get', 'tj', '-n', namespace, 'job-42', '-o', 'wide']);
    const [wideHeader, wideRow] = wide.stdout.trim().split('\n');
    const column = wideHeader?.split(/\s+/).indexOf('STRATEGY') ?? -1;
    expect(column).toBeGreaterThan(0);
    expect(wideRow?.split(/\s+/)[column]).toBe('ladder');
  });

  it('rejects a status outside its schema through the status subresource', async () => {
    await create(transcodeRenditions('bad-status'));
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

  it("keeps each twin's measured quality beside its rendition's, and refuses a twin that is no variant", async () => {
    await create(transcodeRenditions('twin-quality'));
    const quality = { ssim: 0.9941, psnrDb: 44.62, sampledSeconds: 6 };
    const patch = (twins: unknown) =>
      custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace,
          plural,
          name: 'twin-quality',
          body: {
            status: {
              phase: 'Running',
              renditions: [{ name: '720p', phase: 'Succeeded', quality, twins }],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    const twins = [
      { variant: '720p-av1', quality: { ssim: 0.9903, psnrDb: 42.14, sampledSeconds: 6 } },
      { variant: '720p-hdr', quality: { ssim: 0.9812, psnrDb: 47.21, sampledSeconds: 6 } },
    ];
    const stored = (await patch(twins)) as { status: { renditions: unknown[] } };
    expect(stored.status.renditions).toEqual([
      { name: '720p', phase: 'Succeeded', quality, twins },
    ]);
    const message = await patch([{ variant: '720p-vp9', quality }]).then(
      () => 'accepted',
      (e: unknown) => statusMessage(e),
    );
    expect(message).toContain('status.renditions[0].twins[0].variant');
  });
});
