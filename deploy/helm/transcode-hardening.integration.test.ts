// The chart's side of "transcode pods cannot wander": their egress allow-list, the
// scratch size handed to the controller, and the Pod Security Admission namespace label.
// The real API server accepts these objects in eks-install.integration.test.ts.

import path from 'node:path';
import { expect, it } from 'vitest';
import { describeWith } from '../../test/support/components.ts';
import { chartDir, findObject, renderChart } from '../test-support/deploy-test-utils.ts';

type Env = { name: string; value?: string }[];

describeWith(['kubernetes'], 'the chart hardens transcode pods', () => {
  it('allows transcode pods DNS and the storage endpoint only: no metadata address, no private ranges', async () => {
    const policy = findObject(await renderChart(), 'NetworkPolicy', 'vf-videoforge-transcoder');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'videoforge-controller' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
        {
          to: [
            {
              ipBlock: {
                cidr: '0.0.0.0/0',
                except: [
                  '169.254.0.0/16',
                  '10.0.0.0/8',
                  '172.16.0.0/12',
                  '192.168.0.0/16',
                  '100.64.0.0/10',
                ],
              },
            },
          ],
          ports: [{ port: 443, protocol: 'TCP' }],
        },
      ],
    });
  });

  it('with the kind bundle, the storage endpoint is the bundle’s moto on 5000', async () => {
    const policy = findObject(
      await renderChart(['-f', path.join(chartDir, 'values-kind.yaml')]),
      'NetworkPolicy',
      'vf-videoforge-transcoder',
    ) as unknown as { spec: { egress: { to: unknown[]; ports: unknown[] }[] } };
    expect(policy.spec.egress[1]).toEqual({
      to: [
        {
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/name': 'videoforge',
              'app.kubernetes.io/instance': 'vf',
              'app.kubernetes.io/component': 'moto',
            },
          },
        },
      ],
      ports: [{ port: 5000, protocol: 'TCP' }],
    });
  });

  it('hands the scratch size to the controller (TRANSCODE_SCRATCH_SIZE_LIMIT)', async () => {
    const controller = findObject(
      await renderChart(['--set', 'transcoder.scratchSizeLimit=8Gi']),
      'Deployment',
      'vf-videoforge-controller',
    ) as unknown as { spec: { template: { spec: { containers: { env: Env }[] } } } };
    const env = controller.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'TRANSCODE_SCRATCH_SIZE_LIMIT')?.value).toBe('8Gi');
    await expect(renderChart(['--set', 'transcoder.scratchSizeLimit=lots'])).rejects.toThrow(
      /scratchSizeLimit/,
    );
  });

  it('labels the namespace for Pod Security Admission "restricted" in the EKS preset only', async () => {
    expect((await renderChart()).filter((o) => o.kind === 'Namespace')).toEqual([]);
    const namespace = findObject(
      await renderChart(['-f', path.join(chartDir, 'values-eks.yaml')], 'vf', 'media'),
      'Namespace',
    );
    expect(namespace.metadata.name).toBe('media');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(namespace.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });
});
