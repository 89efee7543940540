// The Prometheus Operator's ServiceMonitor and PrometheusRule kinds, for installing a
// preset with prometheus.enabled on the test control plane (kube-prometheus-stack is not
// there). Structural schemas that keep every field: the API server accepts what the
// operator's own CRDs accept for the chart's objects; deploy/monitoring.integration.test.ts
// checks the rules themselves against a real Prometheus.

import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { errorCode, eventually } from '../../test/kube/kube-test-utils.ts';

const kinds = [
  { kind: 'ServiceMonitor', plural: 'servicemonitors' },
  { kind: 'PrometheusRule', plural: 'prometheusrules' },
];

/** Creates the two CRDs unless they exist, and waits until they are served. */
export async function ensurePrometheusOperatorCrds(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const { kind, plural } of kinds) {
    const name = `${plural}.monitoring.coreos.com`;
    try {
      await api.createCustomResourceDefinition({
        body: {
          metadata: { name },
          spec: {
            group: 'monitoring.coreos.com',
            names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() },
            scope: 'Namespaced',
            versions: [
              {
                name: 'v1',
                served: true,
                storage: true,
                schema: {
                  openAPIV3Schema: {
                    type: 'object',
                    x_kubernetes_preserve_unknown_fields: true,
                  },
                },
              },
            ],
          },
        },
      });
    } catch (error) {
      if (errorCode(error) !== 409) throw error;
    }
    await eventually(`${name} established`, async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      return established ? true : undefined;
    });
  }
}
