// What points a chart preset at the test servers: the Secrets an operator creates before
// installing, the `--set` flags for its external endpoints, and, for the kind bundle,
// its in-cluster servers' addresses replaced by the test servers'.

import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { TestAws } from '../../test/support/aws.ts';
import type { TestDatabase } from '../../test/support/database.ts';
import type { TestOidcIssuer } from '../../test/servers/oidc-issuer.server.ts';

export const presets = ['default', 'kind', 'eks'] as const;
export type Preset = (typeof presets)[number];

/** The JWT signing key an operator puts in the videoforge-auth Secret (docs/deploy.md). */
const jwtSecret = randomBytes(36).toString('base64');

export interface Servers {
  db: TestDatabase;
  aws: TestAws;
  oidc: TestOidcIssuer;
  namespace: string;
  kubeconfig: string;
}

/** The Secrets docs/deploy.md tells an operator to create before installing (the chart only references them). */
export function existingSecrets(s: Servers): Record<string, Record<string, string>> {
  const db = new URL(s.db.url);
  return {
    'videoforge-database': { DATABASE_URL: s.db.url },
    'videoforge-db': { password: decodeURIComponent(db.password) },
    'videoforge-auth': { 'jwt-secret': jwtSecret },
  };
}

/** `--set` flags pointing a preset's external services at the test servers. */
export function substitutions(preset: Preset, s: Servers): string[] {
  const endpoint = inject('awsEndpoint');
  const db = new URL(s.db.url);
  const set = (pairs: Record<string, string>) =>
    Object.entries(pairs).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  switch (preset) {
    case 'default':
      // values.yaml's required values: the database URL Secret (above), the bucket and its endpoint.
      return set({ 'config.storage.bucket': s.aws.bucket, 'config.storage.endpoint': endpoint });
    case 'kind':
      // The bundle's own bucket and queue names, so the run's moto holds them.
      return set({
        'kindBundle.bucket': s.aws.bucket,
        'kindBundle.queueName': s.aws.queueUrl.split('/').at(-1) ?? '',
      });
    case 'eks':
      return set({
        'config.database.host': db.hostname,
        'config.database.port': db.port,
        'config.database.name': db.pathname.slice(1),
        'config.database.user': decodeURIComponent(db.username),
        'config.database.ssl': 'disable', // the test server has no TLS; RDS gets verify-full
        'config.storage.bucket': s.aws.bucket,
        'config.storage.region': 'us-east-1',
        'config.storage.endpoint': endpoint,
        'config.queue.sqsQueueUrl': s.aws.queueUrl,
        'config.queue.sqsEndpoint': endpoint,
        'config.queue.region': 'us-east-1',
        'auth.oidc.issuer': s.oidc.issuer,
        'auth.oidc.jwksUrl': s.oidc.jwksUrl,
        'auth.oidc.audience': s.oidc.audience,
      });
  }
}

/** In-cluster addresses of the kind bundle's servers, which the test servers replace. */
export function bundleAddresses(
  env: Record<string, string>,
  s: Servers,
  release: string,
): Record<string, string> {
  const moto = `http://${release}-videoforge-moto:5000`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v.startsWith(moto)) out[k] = inject('awsEndpoint') + v.slice(moto.length);
  if (env.DATABASE_URL?.includes(`@${release}-videoforge-postgres:`)) out.DATABASE_URL = s.db.url;
  return out;
}
