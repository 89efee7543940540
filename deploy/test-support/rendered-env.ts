// A container's environment as a kubelet would give it, from rendered chart objects:
// literal values (with $(VAR) expansion), secretKeyRef / configMapKeyRef / fieldRef,
// and envFrom. Secrets the chart only references (the ones docs/deploy.md tells an
// operator to create) come from `existing`.

import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { expandVars } from '../../test/kube/local-node.ts';
import type { K8sObject } from './deploy-test-utils.ts';

export interface PodIdentity {
  namespace: string;
  name: string;
  serviceAccountName?: string | undefined;
}

type Data = Record<string, string>;

function dataOf(object: K8sObject): Data {
  const stringData = (object.stringData ?? {}) as Data;
  const data = Object.fromEntries(
    Object.entries((object.data ?? {}) as Data).map(([k, v]) => [
      k,
      object.kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v,
    ]),
  );
  return { ...data, ...stringData };
}

export function resolveContainerEnv(
  container: Pick<V1Container, 'env' | 'envFrom' | 'name'>,
  objects: K8sObject[],
  pod: PodIdentity,
  existing: { secrets?: Record<string, Data>; configMaps?: Record<string, Data> } = {},
): Record<string, string> {
  const find = (kind: 'Secret' | 'ConfigMap', name: string): Data | undefined => {
    const rendered = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (rendered) return dataOf(rendered);
    return (kind === 'Secret' ? existing.secrets : existing.configMaps)?.[name];
  };
  const missing = (what: string): never => {
    // What the kubelet reports as CreateContainerConfigError: the pod never starts.
    throw new Error(`container ${container.name}: ${what} not found (CreateContainerConfigError)`);
  };
  const env: Record<string, string> = { HOSTNAME: pod.name };
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const data = find(kind, ref?.name ?? '');
    if (!data) {
      if (ref?.optional) continue;
      missing(`${kind} ${ref?.name ?? ''}`);
    }
    for (const [k, v] of Object.entries(data ?? {})) env[(from.prefix ?? '') + k] = v;
  }
  const field = (fieldPath: string): string | undefined =>
    ({
      'metadata.name': pod.name,
      'metadata.namespace': pod.namespace,
      'spec.serviceAccountName': pod.serviceAccountName,
      'status.podIP': '127.0.0.1',
      'status.hostIP': '127.0.0.1',
    })[fieldPath];
  const one = (e: V1EnvVar): string | undefined => {
    if (e.value !== undefined) return expandVars(e.value, env);
    const from = e.valueFrom;
    if (!from) return '';
    if (from.fieldRef) return field(from.fieldRef.fieldPath);
    const ref = from.secretKeyRef ?? from.configMapKeyRef;
    if (!ref) return undefined;
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    const value = find(kind, ref.name ?? '')?.[ref.key];
    if (value === undefined && !ref.optional) missing(`${kind} ${ref.name ?? ''} key ${ref.key}`);
    return value;
  };
  for (const e of container.env ?? []) {
    const value = one(e);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}
