import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { describeWith } from '../support/components.ts';
import { errorCode, eventually, kubectl, loadKubeConfig } from './kube-test-utils.ts';

describeWith(['kubernetes'], 'RBAC for a ServiceAccount bound to a Role', () => {
  let kubeconfig: string;
  let admin: KubeConfig;
  let core: CoreV1Api;
  let namespace: string;
  let user: string;
  let asServiceAccount: CoreV1Api;

  beforeAll(async () => {
    kubeconfig = inject('kubeconfig');
    admin = loadKubeConfig(kubeconfig);
    core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    namespace = `rbac-${Date.now().toString(36)}`;
    user = `system:serviceaccount:${namespace}:worker`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: 'worker' } },
    });
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'worker' },
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
          { apiGroups: ['videoforge.io'], resources: ['transcodejobs/status'], verbs: ['patch'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'worker' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'worker' },
        subjects: [{ kind: 'ServiceAccount', name: 'worker', namespace }],
      },
    });

    // A real, short-lived token from the TokenRequest API, as a pod would get.
    const token = await core.createNamespacedServiceAccountToken({
      name: 'worker',
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const cluster = admin.getCurrentCluster();
    if (!cluster) throw new Error('no cluster in the kubeconfig');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'worker', token: token.status?.token ?? '' }],
      contexts: [{ name: 'worker', cluster: cluster.name, user: 'worker' }],
      currentContext: 'worker',
    });
    asServiceAccount = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    if (namespace) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  const canI = async (
    verb: string,
    resource: string,
    opts: { group?: string; subresource?: string; ns?: string } = {},
  ): Promise<boolean> => {
    const review = await admin.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user,
          groups: [
            'system:serviceaccounts',
            `system:serviceaccounts:${namespace}`,
            'system:authenticated',
          ],
          resourceAttributes: {
            namespace: opts.ns ?? namespace,
            verb,
            resource,
            group: opts.group ?? '',
            ...(opts.subresource ? { subresource: opts.subresource } : {}),
          },
        },
      },
    });
    return review.status?.allowed === true;
  };

  it('a SubjectAccessReview allows exactly what the Role grants', async () => {
    // RBAC caches bindings briefly after creation.
    await eventually('the binding to take effect', async () =>
      (await canI('list', 'pods')) ? true : undefined,
    );
    const decisions = {
      'get pods': await canI('get', 'pods'),
      'list pods': await canI('list', 'pods'),
      'watch pods': await canI('watch', 'pods'),
      'create configmaps': await canI('create', 'configmaps'),
      'patch transcodejobs/status': await canI('patch', 'transcodejobs', {
        group: 'videoforge.io',
        subresource: 'status',
      }),
      'create pods': await canI('create', 'pods'),
      'delete pods': await canI('delete', 'pods'),
      'get configmaps': await canI('get', 'configmaps'),
      'list secrets': await canI('list', 'secrets'),
      'patch transcodejobs': await canI('patch', 'transcodejobs', { group: 'videoforge.io' }),
      'list pods in default': await canI('list', 'pods', { ns: 'default' }),
    };
    expect(decisions).toEqual({
      'get pods': true,
      'list pods': true,
      'watch pods': true,
      'create configmaps': true,
      'patch transcodejobs/status': true,
      'create pods': false,
      'delete pods': false,
      'get configmaps': false,
      'list secrets': false,
      'patch transcodejobs': false,
      'list pods in default': false,
    });
  });

  it("the ServiceAccount's own token can do what the Role grants and is refused the rest", async () => {
    const status = (p: Promise<unknown>): Promise<number | 'ok'> =>
      p.then(
        () => 'ok' as const,
        (e: unknown) => errorCode(e) ?? -1,
      );
    expect(await status(asServiceAccount.listNamespacedPod({ namespace }))).toBe('ok');
    expect(
      await status(
        asServiceAccount.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name: 'made-by-worker' } },
        }),
      ),
    ).toBe('ok');
    expect(
      await status(asServiceAccount.readNamespacedConfigMap({ name: 'made-by-worker', namespace })),
    ).toBe(403);
    expect(await status(asServiceAccount.listNamespacedSecret({ namespace }))).toBe(403);
    expect(
      await status(
        asServiceAccount.deleteNamespacedConfigMap({ name: 'made-by-worker', namespace }),
      ),
    ).toBe(403);
    expect(await status(asServiceAccount.listNamespacedPod({ namespace: 'default' }))).toBe(403);
  });

  it('kubectl auth can-i --as agrees (impersonation)', async () => {
    const can = async (...args: string[]): Promise<string> => {
      const result = await kubectl(kubeconfig, [
        'auth',
        'can-i',
        ...args,
        '-n',
        namespace,
        `--as=${user}`,
      ]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
      return result.stdout.trim();
    };
    expect(await can('list', 'pods')).toBe('yes');
    expect(await can('delete', 'pods')).toBe('no');
    expect(await can('patch', 'transcodejobs.videoforge.io', '--subresource=status')).toBe('yes');
    expect(await can('patch', 'transcodejobs.videoforge.io')).toBe('no');
  });
});
